// New licenses: choosing a template fills in its product, type, limits,
// expiry basis and policy and locks them, since the template's settings are
// what the licenses get. Without JavaScript the server applies them anyway.
;(() => {
  const select = document.querySelector('select[data-license-template]')
  if (!select) return
  const form = select.form
  const fields = {
    product_id: 'product',
    type: 'type',
    max_devices: 'maxDevices',
    max_sessions: 'maxSessions',
    expiry_basis: 'expiryBasis',
    session_policy: 'sessionPolicy',
  }
  const apply = () => {
    const option = select.selectedOptions[0]
    const chosen = option && option.value !== ''
    for (const [name, key] of Object.entries(fields)) {
      const input = form.elements.namedItem(name)
      if (!input) continue
      if (chosen) input.value = option.dataset[key]
      input.toggleAttribute('readonly', chosen)
      input.classList.toggle('from-template', chosen)
      // A select has no readonly: its other options are turned off instead.
      if (input instanceof HTMLSelectElement) {
        for (const other of input.options) other.disabled = chosen && other.value !== input.value
      }
    }
  }
  select.addEventListener('change', apply)
  apply()
})()
