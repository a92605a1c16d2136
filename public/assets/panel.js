// Keyward panel behaviour that needs no page of its own. Loaded on every
// panel page; the Content-Security-Policy allows no inline script.
document.addEventListener('submit', (event) => {
  const form = event.target
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return
  if (!window.confirm(form.dataset.confirm)) event.preventDefault()
})
