// Text from model files, specs and data files (producer names, tensor names, error messages quoting them)
// reaches the terminal: escape sequences in it could move the cursor, retitle the window or hide output.
// Every C0 and C1 control character is dropped except newline and tab.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function stripControlCharacters(text: string): string {
  return text.replace(CONTROL, '');
}
