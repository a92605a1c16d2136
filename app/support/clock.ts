import { DateTime } from 'luxon'

/**
 * The source of "now" for every rule that depends on time. Services take it
 * from the container, so tests swap in a clock they control instead of
 * sleeping (`app.container.swap(Clock, () => new FixedClock(...))`).
 */
export class Clock {
  now(): DateTime {
    return DateTime.utc()
  }
}

export class FixedClock extends Clock {
  constructor(protected current: DateTime) {
    super()
  }

  now() {
    return this.current
  }

  set(to: DateTime) {
    this.current = to
  }

  advance(duration: Parameters<DateTime['plus']>[0]) {
    this.current = this.current.plus(duration)
  }
}
