/**
 * The one module that touches apache-arrow and parquet-wasm. Everything else in `src/dataset`
 * describes columns as plain data (`ParquetColumn`) and gets bytes back, or gets plain rows back
 * from bytes.
 *
 * Loading: in Node, `parquet-wasm`'s package exports resolve to its `node/` build (CommonJS),
 * which reads and instantiates its .wasm synchronously on import, so there is no `init()` to
 * await. Named imports work because the build assigns `exports.x = ...` (which Node's CJS
 * lexer sees).
 *
 * Ownership: wasm-side `Table` and `WriterProperties` are consumed (moved into Rust) by
 * `writeParquet`, and a read `Table` by `intoIPCStream`; each one here is created right before
 * the call that consumes it, so nothing is left to `free()` when a call throws. A streamed
 * file's record batches are moved into the stream as it asks for them.
 */
import {
  Bool,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int64,
  List,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import {
  Compression,
  readParquet,
  transformParquetStream,
  type RecordBatch as WasmRecordBatch,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from "parquet-wasm";
import { EgobridgeError } from "../core/errors.js";

/**
 * One column to write. Integers are given as JS numbers (they must be safe integers) and are
 * stored as int64. `float32_vector` is a fixed-size list of `size` float32 per row, given flat
 * (row-major, `rows × size` values): it is what HF `datasets` writes for
 * `Sequence(Value("float32"), length=size)`, the type LeRobot declares for a shape-[n] feature.
 */
export type ParquetColumn =
  | { name: string; type: "float32" | "float64" | "int64"; values: ArrayLike<number> }
  | { name: string; type: "bool"; values: ArrayLike<boolean> }
  | { name: string; type: "string"; values: readonly string[] }
  | { name: string; type: "float32_vector"; size: number; values: ArrayLike<number> }
  | { name: string; type: "float64_list" | "int64_list"; values: readonly (readonly number[])[] }
  /** Rows of C × 1 × 1 nested lists: LeRobot's per-channel image stats. */
  | { name: string; type: "float64_list_c11"; values: readonly (readonly number[])[] }
  | { name: string; type: "string_list"; values: readonly (readonly string[])[] };

/** A value read back: int64 comes back as a number, lists as arrays. */
export type ParquetValue = number | boolean | string | null | ParquetValue[];
export type ParquetRow = Record<string, ParquetValue>;

/** Nullable like the fields pyarrow and HF `datasets` write, so the schemas match theirs. */
const field = (name: string, type: ConstructorParameters<typeof Field>[1]) => new Field(name, type, true);
const listOf = (type: Float32 | Float64 | Int64 | Utf8 | List) => new List(field("item", type));

const toBigInt64 = (values: ArrayLike<number>, column: string): BigInt64Array => {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isSafeInteger(v)) throw new EgobridgeError(`column '${column}': ${v} is not a safe integer`);
    out[i] = BigInt(v);
  }
  return out;
};

function rowCount(column: ParquetColumn): number {
  if (column.type !== "float32_vector") return column.values.length;
  if (!Number.isInteger(column.size) || column.size < 1 || column.values.length % column.size !== 0) {
    throw new EgobridgeError(
      `column '${column.name}': ${column.values.length} values do not split into rows of ${column.size}`,
    );
  }
  return column.values.length / column.size;
}

function toVector(column: ParquetColumn): Vector {
  switch (column.type) {
    case "float32":
      return makeVector(
        column.values instanceof Float32Array ? column.values : Float32Array.from(column.values),
      );
    case "float64":
      return makeVector(Float64Array.from(column.values));
    case "int64":
      return makeVector(toBigInt64(column.values, column.name));
    case "bool":
      return vectorFromArray(Array.from(column.values), new Bool());
    case "string":
      return vectorFromArray(column.values as string[], new Utf8());
    case "float32_vector": {
      const values = column.values instanceof Float32Array ? column.values : Float32Array.from(column.values);
      const type = new FixedSizeList(column.size, field("item", new Float32()));
      const child = makeData({ type: new Float32(), length: values.length, nullCount: 0, data: values });
      return makeVector(makeData({ type, length: rowCount(column), nullCount: 0, child }));
    }
    case "float64_list":
      return vectorFromArray(column.values as number[][], listOf(new Float64()));
    case "float64_list_c11":
      return vectorFromArray(
        column.values.map((row) => row.map((v) => [[v]])),
        listOf(listOf(listOf(new Float64()))),
      );
    case "int64_list":
      return vectorFromArray(
        column.values.map((row) => Array.from(toBigInt64(row, column.name))),
        listOf(new Int64()),
      );
    case "string_list":
      return vectorFromArray(column.values as string[][], listOf(new Utf8()));
  }
}

/** Builds one Arrow record batch from the columns; all must have the same number of rows. */
function toArrowTable(columns: readonly ParquetColumn[], metadata: ReadonlyMap<string, string>): Table {
  if (columns.length === 0) throw new EgobridgeError("a parquet table needs at least one column");
  const rows = rowCount(columns[0]!);
  const names = new Set<string>();
  const vectors = columns.map((c) => {
    if (names.has(c.name)) throw new EgobridgeError(`duplicate column '${c.name}'`);
    names.add(c.name);
    if (rowCount(c) !== rows) {
      throw new EgobridgeError(`column '${c.name}' has ${rowCount(c)} rows, expected ${rows}`);
    }
    return toVector(c);
  });
  const fields = columns.map((c, i) => field(c.name, vectors[i]!.type));
  const schema = new Schema(fields, new Map(metadata));
  const data = makeData({
    type: new Struct(fields),
    length: rows,
    nullCount: 0,
    children: vectors.map((v) => v.data[0]!),
  });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

/** Snappy, and `metadata` as the file's key-value metadata (see encodeParquet). */
const writerProperties = (metadata: ReadonlyMap<string, string>, rowGroupRows?: number) => {
  const builder = new WriterPropertiesBuilder()
    .setCompression(Compression.SNAPPY)
    .setKeyValueMetadata(new Map(metadata));
  return (rowGroupRows === undefined ? builder : builder.setMaxRowGroupSize(rowGroupRows)).build();
};

/**
 * Encodes columns as one snappy-compressed parquet file. `metadata` goes both into the Arrow
 * schema (which parquet-rs serialises into the `ARROW:schema` key) and into the file's own
 * key-value metadata: parquet-rs does not copy schema metadata there, and pyarrow/pandas look
 * for keys such as `pandas` only in the file's key-value metadata.
 *
 * Deterministic: the same columns give the same bytes (parquet-rs writes a fixed `created_by`
 * and no timestamps).
 */
export function encodeParquet(
  columns: readonly ParquetColumn[],
  metadata: ReadonlyMap<string, string> = new Map(),
): Uint8Array {
  const ipc = tableToIPC(toArrowTable(columns, metadata), "stream");
  const table = WasmTable.fromIPCStream(ipc);
  const props = writerProperties(metadata);
  try {
    return writeParquet(table, props);
  } catch (err) {
    throw new EgobridgeError(`parquet encoding failed: ${String(err)}`, { cause: err });
  }
}

/** Where a streamed parquet file's bytes go, in order. */
export type ParquetSink = (bytes: Uint8Array) => Promise<void>;

const MAGIC = "PAR1";

/**
 * Writes one parquet file batch by batch, in bounded memory whatever its size: each batch is
 * encoded as it comes (parquet-wasm's `transformParquetStream`, parquet-rs's ArrowWriter) and a
 * row group goes to the sink as soon as it holds `rowGroupRows` rows, so the writer holds the
 * encoded pages of one row group, never the file. Every batch must have the first one's columns
 * (names and types): the encoder would otherwise write a batch under the first one's names.
 *
 * Deterministic: the same batches with the same row-group size give the same bytes.
 */
export class ParquetStreamWriter {
  private readonly input: ReadableStream<WasmRecordBatch>;
  /** Set while the encoder waits for the next batch: hands it one (or the end). */
  private give: ((batch: WasmRecordBatch | null) => void) | undefined;
  private asked: (() => void) | undefined;
  private drain: Promise<void> | undefined;
  private signature: string | undefined;
  private rows = 0;
  private bytes = 0;
  private tail = new Uint8Array(0);

  constructor(
    private readonly sink: ParquetSink,
    private readonly options: { rowGroupRows: number; metadata?: ReadonlyMap<string, string> },
  ) {
    if (!Number.isInteger(options.rowGroupRows) || options.rowGroupRows < 1) {
      throw new EgobridgeError(`rows per row group must be a positive integer, got ${options.rowGroupRows}`);
    }
    this.input = new ReadableStream<WasmRecordBatch>(
      {
        pull: (controller) =>
          new Promise<void>((done) => {
            this.give = (batch) => {
              if (batch) controller.enqueue(batch);
              else controller.close();
              done();
            };
            this.asked?.();
          }),
      },
      { highWaterMark: 0 },
    );
  }

  /** Appends the columns' rows (all columns the same length, at least one row). */
  async write(columns: readonly ParquetColumn[]): Promise<void> {
    const table = toArrowTable(columns, new Map());
    const signature = table.schema.fields.map((f) => `${f.name}:${f.type}`).join(",");
    if (this.signature === undefined) this.signature = signature;
    else if (signature !== this.signature) {
      throw new EgobridgeError(
        `a parquet batch's columns (${signature}) differ from the file's (${this.signature})`,
      );
    }
    if (table.numRows === 0) return;
    if (!this.drain) {
      this.drain = this.start();
      // Awaited by hand() and close(); this only keeps a failure between writes from going unhandled.
      this.drain.catch(() => {});
    }
    await this.hand(WasmTable.fromIPCStream(tableToIPC(table, "stream")).recordBatch(0)!);
    this.rows += table.numRows;
  }

  /** Ends the file (its footer) and waits until the sink has every byte. */
  async close(): Promise<{ rows: number; bytes: number }> {
    if (!this.drain) throw new EgobridgeError("a parquet file needs at least one row");
    await this.hand(null);
    await this.drain;
    if (this.bytes < 12 || new TextDecoder().decode(this.tail) !== MAGIC) {
      throw new EgobridgeError(
        `parquet encoding failed: the stream ended after ${this.bytes} bytes without a footer`,
      );
    }
    return { rows: this.rows, bytes: this.bytes };
  }

  /** Starts the encoder (it asks for its first batch at once) and copies its output to the sink. */
  private async start(): Promise<void> {
    const output = await transformParquetStream(
      this.input,
      writerProperties(this.options.metadata ?? new Map(), this.options.rowGroupRows),
    );
    for await (const chunk of output as unknown as AsyncIterable<Uint8Array>) {
      this.bytes += chunk.length;
      this.tail =
        chunk.length >= MAGIC.length
          ? chunk.slice(-MAGIC.length)
          : Uint8Array.from([...this.tail, ...chunk].slice(-MAGIC.length));
      await this.sink(chunk);
    }
  }

  /** Waits until the encoder asks for a batch, then hands it `batch`; fails if the encoder stopped. */
  private async hand(batch: WasmRecordBatch | null): Promise<void> {
    if (!this.give) {
      const asked = new Promise<void>((resolve) => {
        this.asked = resolve;
      });
      const stopped = this.drain!.then(() => {
        throw new EgobridgeError("parquet encoding failed: the encoder stopped before the file was complete");
      });
      stopped.catch(() => {});
      await Promise.race([asked, stopped]);
      this.asked = undefined;
    }
    const give = this.give!;
    this.give = undefined;
    give(batch);
  }
}

/** Converts one Arrow cell to plain JS: int64 to number, lists to arrays. */
function plain(value: unknown): ParquetValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new EgobridgeError(`int64 value ${value} does not fit a JS number`);
    return n;
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "object" && Symbol.iterator in value) {
    return Array.from(value as Iterable<unknown>, plain);
  }
  throw new EgobridgeError(`unsupported parquet value of type ${typeof value}`);
}

/** Decodes a parquet file (with parquet-wasm) into plain rows, columns in file order. */
export function decodeParquet(bytes: Uint8Array): ParquetRow[] {
  let table: Table;
  try {
    table = tableFromIPC(readParquet(bytes).intoIPCStream());
  } catch (err) {
    throw new EgobridgeError(`not a readable parquet file: ${String(err)}`, { cause: err });
  }
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((_, i) => table.getChildAt(i)!);
  const rows: ParquetRow[] = [];
  for (let r = 0; r < table.numRows; r++) {
    const row: ParquetRow = {};
    names.forEach((name, i) => {
      row[name] = plain(columns[i]!.get(r));
    });
    rows.push(row);
  }
  return rows;
}
