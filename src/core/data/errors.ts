import { singleLine } from '../util/singleLine';

/** A dataset or mask file cannot be read or does not fit the model: names the file, the array and what was expected. */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(message: string, readonly file?: string, readonly array?: string) {
    super(singleLine(`${file ? `${file}: ` : ''}${array !== undefined ? `array '${array}': ` : ''}${message}`));
  }
}

/** The task spec is invalid: names the file and the field (a JSON pointer such as `/mask/lr`). */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(message: string, readonly file: string, readonly field: string) {
    super(singleLine(`${file}: ${field ? `field '${field}': ` : ''}${message}`));
  }
}
