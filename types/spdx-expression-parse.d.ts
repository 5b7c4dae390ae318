declare module 'spdx-expression-parse' {
  /** Parses an SPDX licence expression; throws on anything that is not one. */
  function parse(expression: string): unknown;
  export = parse;
}
