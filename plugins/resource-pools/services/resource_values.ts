import { domainToASCII } from 'node:url'
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js'
import type { ResourcePoolsConfig } from '../define_config.js'

/**
 * Turning what an admin typed into the value a resource stores, one rule
 * per type. Pure functions: the same input gives the same value, so two
 * spellings of one domain or number can never be two resources.
 */

export type Normalized = { values: string[] } | { problem: string; data?: Record<string, unknown> }

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** A domain name in punycode, lower case, without a trailing dot. */
export function normalizeDomain(input: string): Normalized {
  const text = input.trim().replace(/\.$/, '')
  if (text === '' || /[\s/:@]/.test(text)) return { problem: 'domain_invalid' }
  const ascii = domainToASCII(text.toLowerCase())
  if (ascii === '' || ascii.length > 253) return { problem: 'domain_invalid' }
  const labels = ascii.split('.')
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    return { problem: 'domain_invalid' }
  }
  // A top-level domain is never all digits (that is an IPv4 address).
  if (/^\d+$/.test(labels.at(-1)!)) return { problem: 'domain_invalid' }
  return { values: [ascii] }
}

const OCTET = /^(?:0|[1-9]\d{0,2})$/

function parseIpv4(text: string): number | null {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part) && Number(part) <= 255)) {
    return null
  }
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0)
}

export function formatIpv4(address: number) {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.')
}

/**
 * An IPv4 address in dotted form, or a CIDR range (`192.0.2.0/28`) as its
 * addresses: without the network and broadcast address for ranges of four
 * or more, since no customer can use those. A range larger than
 * `maxRangeSize` addresses, or one whose address has host bits set (a
 * typo of the network), is refused.
 */
export function normalizeIpv4(input: string, maxRangeSize: number): Normalized {
  const text = input.trim()
  const [address, prefixText, ...rest] = text.split('/')
  const base = parseIpv4(address)
  if (base === null || rest.length > 0) return { problem: 'ipv4_invalid' }
  if (prefixText === undefined) return { values: [formatIpv4(base)] }
  if (!/^(?:\d|[12]\d|3[0-2])$/.test(prefixText)) return { problem: 'ipv4_invalid' }
  const size = 2 ** (32 - Number(prefixText))
  if (base % size !== 0) {
    return {
      problem: 'ipv4_not_network',
      data: { network: `${formatIpv4(base - (base % size))}/${prefixText}` },
    }
  }
  const usable = size >= 4 ? size - 2 : size
  if (usable > maxRangeSize) {
    return { problem: 'ipv4_range_too_large', data: { size: usable, max: maxRangeSize } }
  }
  const first = size >= 4 ? base + 1 : base
  return { values: Array.from({ length: usable }, (_, index) => formatIpv4(first + index)) }
}

/** A phone number in E.164 (`+4930123456`), checked against the numbering plan. */
export function normalizePhone(input: string, region: string | null): Normalized {
  const text = input.trim()
  if (text === '' || text.length > 40) return { problem: 'phone_invalid' }
  const number = parsePhoneNumberFromString(text, (region ?? undefined) as CountryCode | undefined)
  if (!number || !number.isValid()) return { problem: 'phone_invalid' }
  return { values: [number.number] }
}

/**
 * The value(s) `input` stands for as a resource of `type`.
 *
 * @returns the values, or the problem (a key of `resource_pools.problems`)
 */
export function normalizeValue(
  type: string,
  input: string,
  config: ResourcePoolsConfig
): Normalized {
  const settings = config.types[type]
  if (!settings) return { problem: 'unknown_type', data: { type } }
  switch (type) {
    case 'domain':
      return normalizeDomain(input)
    case 'ipv4':
      return normalizeIpv4(input, config.maxRangeSize)
    case 'phone':
      return normalizePhone(input, config.phoneRegion)
    default: {
      const text = input.trim()
      if (text === '' || text.length > 255 || !settings.pattern!.test(text)) {
        return { problem: 'pattern_mismatch', data: { type } }
      }
      return { values: [text] }
    }
  }
}
