// A credential value that cannot leak by accident: printing, logging or serialising it shows a placeholder.

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const PLACEHOLDER = '[secret]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself, for the one SDK call that needs it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return PLACEHOLDER;
  }

  toJSON(): string {
    return PLACEHOLDER;
  }

  [INSPECT](): string {
    return PLACEHOLDER;
  }
}
