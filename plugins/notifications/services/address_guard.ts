import { BlockList, isIP } from 'node:net'
import { lookup } from 'node:dns/promises'

/**
 * Addresses a webhook must not reach (SSRF): this host, its network and
 * the cloud's metadata services. IPv4 first, then IPv6; an IPv4 address
 * written as IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address.
 */
const PRIVATE = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4')
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6')
}

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i
const MAPPED_V4_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i

/** The IPv4 address inside an IPv4-mapped IPv6 address, or the address itself. */
function unmapped(address: string) {
  const dotted = MAPPED_V4.exec(address)
  if (dotted) return dotted[1]
  const hex = MAPPED_V4_HEX.exec(address)
  if (hex) {
    const high = Number.parseInt(hex[1], 16)
    const low = Number.parseInt(hex[2], 16)
    return [high >> 8, high & 255, low >> 8, low & 255].join('.')
  }
  return address
}

/** Whether an IP address is loopback, link-local, private or otherwise not public. */
export function isPrivateAddress(address: string) {
  const plain = unmapped(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''))
  const family = isIP(plain)
  if (family === 0) throw new Error(`${address} is not an IP address`)
  return PRIVATE.check(plain, family === 4 ? 'ipv4' : 'ipv6')
}

export class AddressRefused extends Error {
  constructor(
    readonly host: string,
    readonly address: string
  ) {
    super(`${host} resolves to ${address}, a private address: refused`)
  }
}

export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/**
 * Resolves a host to the address to connect to. Unless private addresses
 * are allowed, every address the host resolves to must be public: a name
 * with one private answer among public ones is refused, so a second lookup
 * (DNS rebinding) cannot pick the private one. The caller connects to the
 * address returned, never to the name again.
 */
export async function resolvePublicAddress(
  host: string,
  options: { allowPrivate: boolean }
): Promise<ResolvedAddress> {
  const bare = host.replace(/^\[|\]$/g, '')
  const literal = isIP(bare)
  const found = literal
    ? [{ address: bare, family: literal }]
    : await lookup(bare, { all: true, verbatim: true })
  const answers = found.map((entry) => ({
    address: entry.address,
    family: entry.family as 4 | 6,
  }))
  if (answers.length === 0) throw new Error(`${host} does not resolve`)
  if (!options.allowPrivate) {
    const refused = answers.find((answer) => isPrivateAddress(answer.address))
    if (refused) throw new AddressRefused(host, refused.address)
  }
  return answers[0]
}

/** Whether a URL's host is this machine (http is allowed there outside production). */
export function isLoopbackHost(hostname: string) {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true
  if (isIP(bare) === 0) return false
  const plain = unmapped(bare)
  return plain === '::1' || (isIP(plain) === 4 && plain.startsWith('127.'))
}
