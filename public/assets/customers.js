// Customer autocomplete: inputs with `data-suggest` fill their <datalist>
// from /admin/customers/suggest as the admin types. `data-suggest="ids"`
// offers customer ids (with the name as label), `names` offers names.
;(() => {
  const inputs = document.querySelectorAll('input[data-suggest]')
  inputs.forEach((input) => {
    const list = document.getElementById(input.getAttribute('list'))
    if (!list) return
    let timer = null
    let controller = null
    input.addEventListener('input', () => {
      clearTimeout(timer)
      timer = setTimeout(async () => {
        const term = input.value.trim()
        if (term.length < 2 || /^\d+$/.test(term)) return
        controller?.abort()
        controller = new AbortController()
        try {
          const response = await fetch(`/admin/customers/suggest?q=${encodeURIComponent(term)}`, {
            headers: { accept: 'application/json' },
            signal: controller.signal,
          })
          if (!response.ok) return
          const customers = await response.json()
          list.replaceChildren(
            ...customers.map((customer) => {
              const option = document.createElement('option')
              const label = customer.email ? `${customer.name} <${customer.email}>` : customer.name
              if (input.dataset.suggest === 'ids') {
                option.value = String(customer.id)
                option.label = label
              } else {
                option.value = customer.name
              }
              return option
            })
          )
        } catch {
          // A newer keystroke aborted this lookup.
        }
      }, 200)
    })
  })
})()
