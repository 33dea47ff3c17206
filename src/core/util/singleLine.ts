// Error messages quote text from the files they refuse (member names, header text, JSON excerpts);
// a quoted newline or escape sequence must not split the one-line message or reach a terminal.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]+/g;

/** The text with every run of control characters (newlines included) replaced by one space. */
export function singleLine(text: string): string {
  return text.replace(CONTROL, ' ');
}
