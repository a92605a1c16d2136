import env from '#start/env'

/**
 * The admin panel's access rules.
 */
const panelConfig = {
  login: {
    /** Failed attempts (password or second factor) before the lockout. */
    maxAttempts: env.get('PANEL_LOGIN_MAX_ATTEMPTS', 5),
    /** How long a lockout lasts, and the window failures are counted in. */
    lockout: env.get('PANEL_LOGIN_LOCKOUT', '15 min'),
    /**
     * Failures from one IP address across all emails before that address
     * is locked out too: stops guessing many accounts from one place.
     */
    maxAttemptsPerIp: env.get('PANEL_LOGIN_MAX_ATTEMPTS_PER_IP', 20),
    /** How long a correct password waits for its second factor. */
    secondFactorWindowSeconds: 300,
  },
  /** Send admins without two-factor to the enrolment page until they enrol. */
  requireTwoFactor: env.get('PANEL_REQUIRE_TWO_FACTOR', false),
  /** Rows per page in lists, unless the admin picks another size. */
  perPage: 25,
}

export default panelConfig
