// API keys page: copies a new key to the clipboard. The button stays hidden
// where the Clipboard API is missing (plain HTTP); the key can be selected.
document.querySelectorAll('[data-copy-target]').forEach((button) => {
  if (!navigator.clipboard) return
  button.hidden = false
  button.addEventListener('click', async () => {
    const target = document.getElementById(button.dataset.copyTarget)
    if (!target) return
    try {
      await navigator.clipboard.writeText(target.textContent.trim())
      button.textContent = button.dataset.copiedLabel
    } catch {
      // Left to the admin to select and copy by hand.
    }
  })
})
