// Customer autocomplete. Inputs with `data-suggest` get a list of matching
// customers from /admin/customers/suggest as the admin types:
// `data-suggest="ids"` puts the chosen customer's id into the field (license
// forms, list filter) and shows their name beside it; `data-suggest="names"`
// puts the name (the customer search box). Without JavaScript the fields
// still work: a customer id, or a search term.
;(() => {
  let counter = 0

  const labelOf = (customer) =>
    customer.email
      ? `${customer.name} <${customer.email}> · #${customer.id}`
      : `${customer.name} · #${customer.id}`

  const setUp = (input) => {
    const mode = input.dataset.suggest
    const listId = `customer-suggestions-${++counter}`
    const list = document.createElement('ul')
    list.id = listId
    list.className = 'suggestions'
    list.setAttribute('role', 'listbox')
    list.hidden = true
    input.insertAdjacentElement('afterend', list)
    input.setAttribute('role', 'combobox')
    input.setAttribute('aria-autocomplete', 'list')
    input.setAttribute('aria-controls', listId)
    input.setAttribute('aria-expanded', 'false')
    input.parentElement?.classList.add('suggest-host')

    let chosenNote = null
    let timer = null
    let controller = null
    let items = []
    let active = -1

    const close = () => {
      list.hidden = true
      list.replaceChildren()
      items = []
      active = -1
      input.setAttribute('aria-expanded', 'false')
      input.removeAttribute('aria-activedescendant')
    }

    const highlight = (index) => {
      active = index
      items.forEach((item, i) => item.element.setAttribute('aria-selected', String(i === index)))
      if (index >= 0) input.setAttribute('aria-activedescendant', items[index].element.id)
      else input.removeAttribute('aria-activedescendant')
    }

    const choose = (customer) => {
      if (mode === 'ids') {
        input.value = String(customer.id)
        if (!chosenNote) {
          chosenNote = document.createElement('small')
          chosenNote.className = 'suggest-chosen'
          chosenNote.setAttribute('aria-live', 'polite')
          list.insertAdjacentElement('afterend', chosenNote)
        }
        chosenNote.textContent = labelOf(customer)
      } else {
        input.value = customer.name
      }
      close()
      input.dispatchEvent(new Event('change', { bubbles: true }))
    }

    const show = (customers) => {
      list.replaceChildren()
      items = customers.map((customer, index) => {
        const element = document.createElement('li')
        element.id = `${listId}-${index}`
        element.setAttribute('role', 'option')
        element.setAttribute('aria-selected', 'false')
        element.textContent = labelOf(customer)
        // mousedown, not click: it comes before the input's blur closes the list.
        element.addEventListener('mousedown', (event) => {
          event.preventDefault()
          choose(customer)
        })
        list.append(element)
        return { element, customer }
      })
      list.hidden = items.length === 0
      input.setAttribute('aria-expanded', String(items.length > 0))
      active = -1
    }

    const lookUp = async () => {
      const term = input.value.trim()
      if (term.length < (/^\d+$/.test(term) ? 1 : 2)) return close()
      controller?.abort()
      controller = new AbortController()
      try {
        const response = await fetch(`/admin/customers/suggest?q=${encodeURIComponent(term)}`, {
          headers: { accept: 'application/json' },
          credentials: 'same-origin',
          signal: controller.signal,
        })
        if (!response.ok) return close()
        show(await response.json())
      } catch {
        // A newer keystroke aborted this lookup, or the network failed: no list.
      }
    }

    input.addEventListener('input', () => {
      clearTimeout(timer)
      if (chosenNote) chosenNote.textContent = ''
      timer = setTimeout(lookUp, 200)
    })
    input.addEventListener('keydown', (event) => {
      if (list.hidden || items.length === 0) return
      if (event.key === 'ArrowDown') {
        event.preventDefault()
        highlight((active + 1) % items.length)
      } else if (event.key === 'ArrowUp') {
        event.preventDefault()
        highlight(active <= 0 ? items.length - 1 : active - 1)
      } else if (event.key === 'Enter' && active >= 0) {
        event.preventDefault()
        choose(items[active].customer)
      } else if (event.key === 'Escape') {
        close()
      }
    })
    input.addEventListener('blur', () => setTimeout(close, 100))
  }

  document.querySelectorAll('input[data-suggest]').forEach(setUp)
})()
