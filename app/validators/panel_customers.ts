import vine from '@vinejs/vine'

export const customerValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(200),
  email: vine.string().trim().toLowerCase().email().maxLength(254).optional(),
  company: vine.string().trim().maxLength(200).optional(),
  notes: vine.string().trim().maxLength(5000).optional(),
})
