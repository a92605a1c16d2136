import { baseUrl } from '#tests/support/fixtures'
import type { PanelClient } from '#tests/support/panel'

/** Checks CSV text on the panel (pasted), as the import page's form sends it. */
export async function check(client: PanelClient, kind: 'customers' | 'licenses', csv: string) {
  await client.get('/admin/imports')
  return client.post(`/admin/imports/${kind}/check`, { csv })
}

/**
 * Checks a file as an admin uploads it: the way back for an export, which
 * outgrows the pasted form's size limit once there are many licenses.
 */
export async function checkUpload(
  client: PanelClient,
  kind: 'customers' | 'licenses',
  csv: string
) {
  await client.get('/admin/imports')
  const form = new FormData()
  form.append('_csrf', client.csrfToken!)
  form.append('csv', '')
  form.append('file', new Blob([csv], { type: 'text/csv' }), `${kind}.csv`)
  const response = await fetch(`${baseUrl()}/admin/imports/${kind}/check`, {
    method: 'POST',
    body: form,
    headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  })
  return { status: response.status, body: await response.text() }
}

/** The confirmation token a successful check offers, or null. */
export const tokenOf = (body: string) => body.match(/name="token" value="([^"]+)"/)?.[1] ?? null

export async function confirm(client: PanelClient, kind: 'customers' | 'licenses', token: string) {
  return client.post(`/admin/imports/${kind}/confirm`, { token })
}

/** Checks and imports, as an admin clicking through both steps. */
export async function importThroughPanel(
  client: PanelClient,
  kind: 'customers' | 'licenses',
  csv: string,
  options: { upload?: boolean } = {}
) {
  const checked = options.upload
    ? await checkUpload(client, kind, csv)
    : await check(client, kind, csv)
  const token = tokenOf(checked.body)
  if (!token) return { checked, imported: null }
  return { checked, imported: await confirm(client, kind, token) }
}

/** Downloads an export with the admin's session. */
export async function exportCsv(client: PanelClient, kind: 'customers' | 'licenses', query = '') {
  const response = await fetch(`${baseUrl()}/admin/imports/${kind}/export.csv${query}`, {
    headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  })
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    csv: await response.text(),
  }
}
