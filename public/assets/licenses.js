// License list: a "check all" box in the table header for the bulk actions.
// Without JavaScript it stays hidden and rows are checked one by one.
;(() => {
  document.querySelectorAll('input[data-check-all]').forEach((all) => {
    const name = all.dataset.checkAll
    const boxes = () => [...document.querySelectorAll(`input[type="checkbox"][name="${name}"]`)]
    all.hidden = false
    all.addEventListener('change', () => {
      boxes().forEach((box) => {
        box.checked = all.checked
      })
    })
    document.addEventListener('change', (event) => {
      if (!(event.target instanceof HTMLInputElement) || event.target.name !== name) return
      const list = boxes()
      all.checked = list.length > 0 && list.every((box) => box.checked)
      all.indeterminate = !all.checked && list.some((box) => box.checked)
    })
  })
})()
