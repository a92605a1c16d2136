import MarkdownIt from 'markdown-it'

/**
 * "What's new" is Markdown written by admins and shown in the panel. Raw
 * HTML is escaped (`html: false`) and markdown-it refuses `javascript:`,
 * `vbscript:` and `data:` links, so the text cannot inject script; links
 * open in a new tab without handing over the panel's window.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true })

const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options))

markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  tokens[index].attrSet('rel', 'noopener noreferrer nofollow')
  tokens[index].attrSet('target', '_blank')
  return defaultLinkOpen(tokens, index, options, env, self)
}

export function renderMarkdown(text: string | null) {
  return text ? markdown.render(text) : ''
}
