import vine from '@vinejs/vine'

/** A new client API key: only its name is chosen (api_keys.name is 120 characters). */
export const apiKeyCreateValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(120),
})
