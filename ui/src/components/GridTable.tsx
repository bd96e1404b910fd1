import type { ReactNode } from "react";

/** A scrollable table with column headings; `children` are its rows. */
export function GridTable({
  columns,
  className,
  children,
}: {
  columns: string[];
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={className ? `grid ${className}` : "grid"}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
