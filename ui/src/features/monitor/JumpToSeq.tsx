import { useState } from "react";

/** A seq number box: Enter or Go jumps the feed there. */
export function JumpToSeq({ onJump }: { onJump: (seq: number) => void }) {
  const [text, setText] = useState("");
  const seq = Number(text);
  const valid = text.trim() !== "" && Number.isInteger(seq) && seq > 0;
  return (
    <form
      className="jump"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onJump(seq);
      }}
    >
      <label htmlFor="jump-seq">Go to event #</label>
      <input id="jump-seq" inputMode="numeric" size={8} value={text} onChange={(e) => setText(e.target.value.replace(/[^0-9]/g, ""))} />
      <button type="submit" className="secondary small" disabled={!valid}>
        Go
      </button>
    </form>
  );
}
