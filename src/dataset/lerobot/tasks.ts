/**
 * meta/tasks.parquet: the task strings and their `task_index`. LeRobot writes it from a pandas
 * DataFrame indexed by the task string (`tasks.to_parquet`) and reads it back with
 * `pd.read_parquet`, then looks tasks up with `tasks.loc[task]` / `tasks.iloc[i].name`. So the
 * file carries a `task` column *and* the `pandas` metadata that tells pandas to make that column
 * the index again, exactly as pyarrow writes it for such a frame.
 */
import type { ParquetColumn } from "../parquet.js";
import { TASK_COLUMN } from "./layout.js";

export function tasksColumns(tasks: readonly string[]): ParquetColumn[] {
  return [
    { name: TASK_COLUMN.taskIndex, type: "int64", values: tasks.map((_, i) => i) },
    { name: TASK_COLUMN.task, type: "string", values: tasks },
  ];
}

/**
 * The `pandas` schema metadata pyarrow's `dataframe_to_arrays` writes for a frame with one int64
 * column `task_index` and a string index named `task` (read by `pandas_compat.table_to_dataframe`:
 * `index_columns` names the column that becomes the index).
 */
export function tasksPandasMetadata(): Map<string, string> {
  const column = (name: string, pandasType: string, numpyType: string) => ({
    name,
    field_name: name,
    pandas_type: pandasType,
    numpy_type: numpyType,
    metadata: null,
  });
  const pandas = {
    index_columns: [TASK_COLUMN.task],
    column_indexes: [
      {
        name: null,
        field_name: null,
        pandas_type: "unicode",
        numpy_type: "object",
        metadata: { encoding: "UTF-8" },
      },
    ],
    columns: [column(TASK_COLUMN.taskIndex, "int64", "int64"), column(TASK_COLUMN.task, "unicode", "object")],
    creator: { library: "egobridge" },
  };
  return new Map([["pandas", JSON.stringify(pandas)]]);
}
