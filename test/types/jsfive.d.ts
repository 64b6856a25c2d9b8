/**
 * The part of jsfive 0.4 (a pure-JavaScript HDF5 reader, a port of pyfive) that tests use to
 * read back what h5wasm wrote; the package ships no types.
 */
declare module "jsfive" {
  /** Attribute values: numbers (integers and floats alike), strings, or arrays of them. */
  export type AttrValue = number | bigint | string | (number | bigint | string)[];

  export class Group {
    readonly name: string;
    /** Names of the members, in the file's link order. */
    readonly keys: string[];
    readonly attrs: Record<string, AttrValue>;
    /** The member at `path`; throws (a string) when there is none. */
    get(path: string): Group | Dataset;
  }

  export class Dataset {
    readonly name: string;
    /** All elements, flattened row-major. */
    readonly value: (number | bigint | string)[];
    readonly shape: number[];
    /** numpy-style type string, e.g. "<f8", "<i8", "S8". */
    readonly dtype: string;
    readonly attrs: Record<string, AttrValue>;
  }

  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
}
