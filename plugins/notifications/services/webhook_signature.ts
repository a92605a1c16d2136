import { createHmac, sign, type KeyObject } from 'node:crypto'

/** The headers a delivery carries (lower case, as HTTP/2 and Node's parser give them). */
export const HEADERS = {
  id: 'keyward-event-id',
  type: 'keyward-event-type',
  timestamp: 'keyward-timestamp',
  hmac: 'keyward-signature',
  ed25519: 'keyward-signature-ed25519',
  keyId: 'keyward-key-id',
} as const

/** What both signatures cover: the timestamp, a dot, and the body as sent. */
export const signedMessage = (timestamp: number, body: string) => `${timestamp}.${body}`

/**
 * The signature headers of one attempt. Each attempt signs with its own
 * timestamp (Unix seconds), so receivers can refuse old or replayed ones.
 */
export function signatureHeaders(input: {
  eventId: string
  type: string
  timestamp: number
  body: string
  secret: string
  signingKey: { kid: string; privateKey: KeyObject }
}): Record<string, string> {
  const message = signedMessage(input.timestamp, input.body)
  const hmac = createHmac('sha256', input.secret).update(message).digest('hex')
  const ed25519 = sign(null, Buffer.from(message), input.signingKey.privateKey)
  return {
    [HEADERS.id]: input.eventId,
    [HEADERS.type]: input.type,
    [HEADERS.timestamp]: String(input.timestamp),
    [HEADERS.hmac]: `v1=${hmac}`,
    [HEADERS.ed25519]: ed25519.toString('base64url'),
    [HEADERS.keyId]: input.signingKey.kid,
  }
}
