import { readFile, writeFile } from 'node:fs/promises'
import { definePluginsConfig, type PluginDefinition } from './define_plugin.js'
import { UnknownPluginError } from './plugin_host.js'

/**
 * Reads and edits the text of `config/plugins.ts` for `plugin:enable` and
 * `plugin:disable`. They work on the text rather than importing the file so
 * that they still run when the config is invalid (say, names a plugin that
 * is no longer installed), and so that everything but the `enabled` list
 * (comments, settings, formatting) stays byte for byte.
 */

export class PluginsConfigFileError extends Error {}

/** Prettier's width in this project: a longer list is written one name per line, as it would. */
const PRINT_WIDTH = 100

interface Token {
  kind: 'identifier' | 'string' | 'template' | 'punctuation' | 'other'
  /** The token's text; for a string, its content without quotes. */
  value: string
  start: number
  end: number
}

/**
 * Splits TypeScript source into the few token kinds the config needs,
 * skipping whitespace and comments (so a comment that mentions
 * `enabled: [...]` is never taken for the list).
 */
function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let index = 0
  while (index < source.length) {
    const char = source[index]
    const next = source[index + 1]
    if (/\s/.test(char)) {
      index++
    } else if (char === '/' && next === '/') {
      const newline = source.indexOf('\n', index)
      index = newline === -1 ? source.length : newline + 1
    } else if (char === '/' && next === '*') {
      const close = source.indexOf('*/', index + 2)
      if (close === -1) throw new PluginsConfigFileError('Unterminated comment in the config')
      index = close + 2
    } else if (char === "'" || char === '"' || char === '`') {
      const start = index
      let value = ''
      index++
      while (index < source.length && source[index] !== char) {
        if (source[index] === '\\') {
          value += source.slice(index, index + 2)
          index += 2
        } else {
          value += source[index++]
        }
      }
      if (index >= source.length)
        throw new PluginsConfigFileError('Unterminated string in the config')
      index++
      tokens.push({ kind: char === '`' ? 'template' : 'string', value, start, end: index })
    } else if (/[A-Za-z_$]/.test(char)) {
      const start = index
      while (index < source.length && /[\w$]/.test(source[index])) index++
      tokens.push({ kind: 'identifier', value: source.slice(start, index), start, end: index })
    } else if ('{}[]()<>,:;=.?!'.includes(char)) {
      tokens.push({ kind: 'punctuation', value: char, start: index, end: index + 1 })
      index++
    } else {
      tokens.push({ kind: 'other', value: char, start: index, end: index + 1 })
      index++
    }
  }
  return tokens
}

const OPENERS = new Set(['{', '[', '('])
const CLOSERS = new Set(['}', ']', ')'])
const is = (token: Token | undefined, value: string) =>
  token?.kind === 'punctuation' && token.value === value

/**
 * The properties written directly inside `definePluginsConfig({ ... })`,
 * each with the index of its value's first token. Nested objects (settings)
 * are skipped, so a plugin setting called `enabled` is never touched.
 */
function configProperties(tokens: Token[]): Map<string, number> {
  const call = tokens.findIndex(
    (token, index) =>
      token.kind === 'identifier' &&
      token.value === 'definePluginsConfig' &&
      is(tokens[index + 1], '(') &&
      is(tokens[index + 2], '{')
  )
  if (call === -1) {
    throw new PluginsConfigFileError(
      'config/plugins.ts must export definePluginsConfig({ ... }) with an object literal'
    )
  }
  const properties = new Map<string, number>()
  let depth = 0
  for (let index = call + 3; index < tokens.length; index++) {
    const token = tokens[index]
    if (token.kind === 'punctuation' && OPENERS.has(token.value)) depth++
    else if (token.kind === 'punctuation' && CLOSERS.has(token.value)) {
      if (depth === 0) break
      depth--
    } else if (
      depth === 0 &&
      (token.kind === 'identifier' || token.kind === 'string') &&
      (index === call + 3 || is(tokens[index - 1], ',')) &&
      is(tokens[index + 1], ':')
    ) {
      properties.set(token.value, index + 2)
    }
  }
  return properties
}

export interface EnabledList {
  names: string[]
  /** Offsets of `[` and just past `]`: the only text a rewrite replaces. */
  start: number
  end: number
}

const NOT_PLAIN =
  'The `enabled` list in config/plugins.ts must be a plain list of quoted names, ' +
  "e.g. enabled: ['session-single', 'session-resumable'] (no variables, spreads, " +
  'templates or comments), so that plugin:enable and plugin:disable can edit it'

/**
 * Parses `enabled: [ ... ]`: single or double quotes, any whitespace and
 * line breaks, an optional trailing comma.
 *
 * @throws PluginsConfigFileError when the list is missing or is anything
 * but string literals.
 */
export function parseEnabledList(source: string): EnabledList {
  const tokens = tokenize(source)
  const valueIndex = configProperties(tokens).get('enabled')
  if (valueIndex === undefined) {
    throw new PluginsConfigFileError('config/plugins.ts has no `enabled: [...]` list')
  }
  if (!is(tokens[valueIndex], '[')) throw new PluginsConfigFileError(NOT_PLAIN)

  const names: string[] = []
  let index = valueIndex + 1
  while (!is(tokens[index], ']')) {
    const token = tokens[index]
    if (token?.kind !== 'string' || token.value.includes('\\')) {
      throw new PluginsConfigFileError(NOT_PLAIN)
    }
    names.push(token.value)
    index++
    if (is(tokens[index], ',')) index++
    else if (!is(tokens[index], ']')) throw new PluginsConfigFileError(NOT_PLAIN)
  }
  const start = tokens[valueIndex].start
  const end = tokens[index].end
  // Comments were skipped by the tokenizer; a rewrite would drop them silently.
  if (/\/[/*]/.test(source.slice(start, end).replace(/(['"])[^'"]*\1/g, ''))) {
    throw new PluginsConfigFileError(NOT_PLAIN)
  }
  return { names, start, end }
}

/**
 * The session policy of licenses without one of their own: the
 * `defaultSessionPolicy` string, or definePluginsConfig's default when the
 * property is left out.
 */
export function parseDefaultSessionPolicy(source: string): string {
  const tokens = tokenize(source)
  const valueIndex = configProperties(tokens).get('defaultSessionPolicy')
  if (valueIndex === undefined) return definePluginsConfig({ enabled: [] }).defaultSessionPolicy
  const token = tokens[valueIndex]
  if (
    token.kind !== 'string' ||
    !(is(tokens[valueIndex + 1], ',') || is(tokens[valueIndex + 1], '}'))
  ) {
    throw new PluginsConfigFileError(
      "defaultSessionPolicy in config/plugins.ts must be a quoted name, e.g. 'resumable'"
    )
  }
  return token.value
}

/**
 * Replaces the `enabled` list with `names` and leaves every other byte
 * alone. The list is written `['a', 'b']` on one line, or one name per line
 * when that line would pass the print width, exactly as Prettier formats it,
 * so the file stays clean for `prettier --check`.
 */
export function rewriteEnabledList(source: string, names: string[]): string {
  const { start, end } = parseEnabledList(source)
  const lineStart = source.lastIndexOf('\n', start - 1) + 1
  const lineEnd = source.indexOf('\n', end) === -1 ? source.length : source.indexOf('\n', end)
  const quoted = names.map((name) => `'${name}'`)
  const oneLine = `[${quoted.join(', ')}]`
  const lineLength = start - lineStart + oneLine.length + (lineEnd - end)

  let list = oneLine
  if (names.length > 0 && lineLength > PRINT_WIDTH) {
    const indent = /^[ \t]*/.exec(source.slice(lineStart))![0]
    list = `[\n${quoted.map((name) => `${indent}  ${name},\n`).join('')}${indent}]`
  }
  return source.slice(0, start) + list + source.slice(end)
}

export type ToggleOutcome =
  | { status: 'changed'; source: string; message: string }
  | { status: 'unchanged'; message: string }
  | { status: 'refused'; message: string }

/**
 * What `plugin:enable NAME` does to the config text. Enabling appends the
 * name, so the existing plugins keep their order (the order providers boot
 * and routes mount in).
 */
export function planEnable(
  source: string,
  name: string,
  installed: PluginDefinition[]
): ToggleOutcome {
  if (!installed.some((plugin) => plugin.name === name)) {
    return { status: 'refused', message: unknownPlugin(name, installed) }
  }
  const { names } = parseEnabledList(source)
  if (names.includes(name)) {
    return { status: 'unchanged', message: `Plugin "${name}" is already enabled` }
  }
  return {
    status: 'changed',
    source: rewriteEnabledList(source, [...names, name]),
    message: `Enabled plugin "${name}"`,
  }
}

/**
 * What `plugin:disable NAME` does to the config text. A name the config
 * lists but that is not installed can be removed (that is how one repairs a
 * config the app refuses to boot with); any other unknown name is refused,
 * and so is the plugin that provides the default session policy, since
 * every license without a usable policy of its own runs under it.
 */
export function planDisable(
  source: string,
  name: string,
  installed: PluginDefinition[]
): ToggleOutcome {
  const { names } = parseEnabledList(source)
  const plugin = installed.find((candidate) => candidate.name === name)
  if (!plugin && !names.includes(name)) {
    return { status: 'refused', message: unknownPlugin(name, installed) }
  }
  if (!names.includes(name)) {
    return { status: 'unchanged', message: `Plugin "${name}" is already disabled` }
  }

  const defaultPolicy = parseDefaultSessionPolicy(source)
  if (plugin?.sessionPolicy === defaultPolicy) {
    const others = installed
      .filter((candidate) => candidate.sessionPolicy && candidate.name !== name)
      .filter((candidate) => names.includes(candidate.name))
      .map((candidate) => `'${candidate.sessionPolicy}'`)
    return {
      status: 'refused',
      message:
        `Plugin "${name}" provides the default session policy '${defaultPolicy}'. Set ` +
        `defaultSessionPolicy in config/plugins.ts to another enabled policy first ` +
        `(${others.join(', ') || 'none is enabled: enable one first'}).`,
    }
  }
  return {
    status: 'changed',
    source: rewriteEnabledList(
      source,
      names.filter((candidate) => candidate !== name)
    ),
    message: !plugin
      ? `Removed "${name}" from the enabled list (it is not installed)`
      : plugin.sessionPolicy
        ? `Disabled plugin "${name}". Licenses that name '${plugin.sessionPolicy}' will run ` +
          `under the default '${defaultPolicy}' (plugin:list counts them); its data stays`
        : `Disabled plugin "${name}"; its data stays`,
  }
}

function unknownPlugin(name: string, installed: PluginDefinition[]) {
  return new UnknownPluginError(
    name,
    installed.map((plugin) => plugin.name)
  ).message
}

/**
 * Plans `plugin:enable` or `plugin:disable` on the config file at `path`
 * and writes the file when, and only when, it changes.
 */
export async function togglePluginInFile(
  path: string,
  action: 'enable' | 'disable',
  name: string,
  installed: PluginDefinition[]
): Promise<ToggleOutcome> {
  const source = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new PluginsConfigFileError(`No config file at ${path}`)
    throw error
  })
  const outcome = (action === 'enable' ? planEnable : planDisable)(source, name, installed)
  if (outcome.status === 'changed') await writeFile(path, outcome.source, 'utf8')
  return outcome
}
