import vine from '@vinejs/vine'
import type { HttpRequest } from '@adonisjs/core/http'
import { ADMIN_ROLES, PANEL_LOCALES } from '#models/admin_user'
import { readListState } from '#support/panel_list'

export const loginValidator = vine.create({
  email: vine.string().trim().maxLength(254),
  password: vine.string().maxLength(512),
})

export const secondFactorValidator = vine.create({
  code: vine.string().trim().minLength(6).maxLength(40),
})

export const profileValidator = vine.create({
  full_name: vine.string().trim().maxLength(120).optional(),
  locale: vine.enum(PANEL_LOCALES),
})

export const localeValidator = vine.create({
  locale: vine.enum(PANEL_LOCALES),
})

/** At least 12 characters: length beats composition rules. */
export const newPassword = () => vine.string().minLength(12).maxLength(512)

export const passwordChangeValidator = vine.create({
  current_password: vine.string().maxLength(512),
  password: newPassword().confirmed(),
})

export const adminCreateValidator = vine.create({
  email: vine.string().trim().toLowerCase().email().maxLength(254),
  full_name: vine.string().trim().maxLength(120).optional(),
  role: vine.enum(ADMIN_ROLES),
  locale: vine.enum(PANEL_LOCALES).optional(),
  password: newPassword(),
})

export const adminUpdateValidator = vine.create({
  full_name: vine.string().trim().maxLength(120).optional(),
  role: vine.enum(ADMIN_ROLES),
})

export const blockedIpValidator = vine.create({
  network: vine
    .string()
    .trim()
    .maxLength(50)
    .regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/),
  reason: vine.string().trim().maxLength(200).optional(),
})

/** The admins list's query string (see #support/panel_list). */
export async function readAdminList(request: HttpRequest) {
  return readListState(request, {
    sortable: ['email', 'role', 'last_login_at', 'created_at'] as const,
    defaultSort: 'email',
    defaultDir: 'asc',
    filters: { role: ['admin', 'owner'] },
  })
}

/** The blocked addresses list's query string. */
export async function readBlockedIpList(request: HttpRequest) {
  return readListState(request, {
    sortable: ['network', 'created_at'] as const,
    defaultSort: 'created_at',
  })
}
