type Input = Buffer | Uint8Array | string | number;
type Previous = Buffer | number;
declare function crc32(input: Input, previous?: Previous): Buffer;
declare namespace crc32 {
  function signed(input: Input, previous?: Previous): number;
  function unsigned(input: Input, previous?: Previous): number;
}
export = crc32;
