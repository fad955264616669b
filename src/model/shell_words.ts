/**
 * Splits an argument string the way a shell would for simple quoting, as pm2 does with
 * `args: "-a 13 -b 12"`: words are separated by blanks; '...' keeps everything literally;
 * "..." keeps blanks and understands \" and \\; a backslash outside quotes escapes the next
 * character. No variables, globs or command substitution: `$` and `*` are plain characters.
 */

/** The words of `text`, or an error for an unterminated quote. */
export function splitWords(text: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = closing(text, i);
      if (end < 0) return { error: `unterminated ${c} in ${JSON.stringify(text)}` };
      const inner = text.slice(i + 1, end);
      word += c === "'" ? inner : inner.replace(/\\(["\\])/g, "$1");
      inWord = true;
      i = end;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return { words };
}

function closing(text: string, open: number): number {
  const quote = text[open];
  for (let i = open + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === "\\") i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}
