// Read access to an entity's header fields, in message order.
import type { HeaderField } from './header-block.js';

/** The header fields of one entity with case-insensitive lookup (RFC 5322 §1.2.2: names are case-insensitive). */
export class HeaderList {
  constructor(readonly fields: readonly HeaderField[]) {}

  /** Unfolded raw value of the first field named `name`, or undefined. */
  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.fields.find((f) => f.name.toLowerCase() === lower)?.value;
  }

  /** Unfolded raw values of every field named `name`, in order. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    return this.fields.filter((f) => f.name.toLowerCase() === lower).map((f) => f.value);
  }

  /** Whether a field named `name` is present. */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}
