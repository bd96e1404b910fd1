"""A scripted, stateless model server for the real-agent tests.

It speaks the streaming APIs the agents use (Anthropic Messages, Gemini
streamGenerateContent, OpenAI Responses, OpenAI chat completions) and the
few endpoints of Augment's service that Auggie needs (`/get-models`, whose
feature flags switch Auggie's hooks on, and the NDJSON `/chat-stream`). The reply
depends only on the request: the scenario names a list of tool calls; a
request that already carries N tool results gets call N+1, or the text
"done" when the list is exhausted. A request that offers no tools (titles,
summaries) gets a short text. Every request is appended to a JSON Lines log.

Tool calls are abstract: ("write", path, content), ("read", path) (Claude
only), ("shell", command),
("malformed", kind), ("subagent", prompt, calls) or ("wait_subagent",)
(Codex: wait for the spawned agent). They are turned into the tool each
agent offers. A subagent call makes the agent start a subagent
with `prompt`; a request whose first user message contains that prompt
belongs to the subagent's own conversation and is answered from its `calls`
(the server stays stateless: each conversation counts its own results).
"""

import http.server
import json
import threading
import uuid


def _count_results(api, body):
    if api == "anthropic":
        return sum(
            1
            for m in body.get("messages", [])
            if isinstance(m.get("content"), list)
            for c in m["content"]
            if c.get("type") == "tool_result"
        )
    if api == "gemini":
        return sum(
            1
            for c in body.get("contents", [])
            for p in c.get("parts", [])
            if "functionResponse" in p
        )
    if api == "responses":
        items = body.get("input", [])
        if not isinstance(items, list):
            return 0
        return sum(
            1
            for i in items
            if isinstance(i, dict)
            and i.get("type") in ("function_call_output", "custom_tool_call_output")
        )
    if api == "augment":
        nodes = list(body.get("nodes") or [])
        for x in body.get("chat_history") or []:
            nodes += x.get("request_nodes") or []
        return sum(1 for n in nodes if n.get("type") == 1 and n.get("tool_result_node"))
    return sum(1 for m in body.get("messages", []) if m.get("role") == "tool")


def _first_user_text(api, body):
    """The text that opens the conversation: what the user (or, for a
    subagent, the parent) asked. Anthropic: the first user message. OpenAI
    Responses (Codex): the user messages and `agent_message` items before the
    first tool call (Codex 0.169 hands a spawned agent its task as an
    `agent_message` from `/root`, the text in `encrypted_content`, which is
    plain text with a provider that does not encrypt). Chat completions
    (Copilot): the user messages before the first assistant message."""
    if api == "anthropic":
        for m in body.get("messages", []):
            if m.get("role") != "user":
                continue
            c = m.get("content")
            if isinstance(c, str):
                return c
            return "\n".join(b.get("text", "") for b in c or [] if isinstance(b, dict) and b.get("type") == "text")
        return ""
    if api == "responses":
        items = body.get("input")
        if isinstance(items, str):
            return items
        texts = []
        for i in items or []:
            if not isinstance(i, dict):
                continue
            if i.get("type") in ("function_call", "custom_tool_call", "tool_search_call"):
                break
            if (i.get("type") == "message" and i.get("role") == "user") or i.get("type") == "agent_message":
                c = i.get("content")
                if isinstance(c, str):
                    texts.append(c)
                    continue
                for b in c or []:
                    if isinstance(b, dict):
                        texts.append(b.get("text") or b.get("encrypted_content") or "")
        return "\n".join(texts)
    if api == "chat":
        texts = []
        for m in body.get("messages", []):
            if m.get("role") == "assistant":
                break
            if m.get("role") != "user":
                continue
            c = m.get("content")
            if isinstance(c, str):
                texts.append(c)
            else:
                texts += [b.get("text", "") for b in c or [] if isinstance(b, dict)]
        return "\n".join(texts)
    return ""


def _tool_names(api, body):
    tools = body.get("tool_definitions" if api == "augment" else "tools") or []
    names = []
    for t in tools:
        if api == "anthropic":
            names.append(t.get("name"))
        elif api == "gemini":
            names += [f.get("name") for f in t.get("functionDeclarations", [])]
        elif api == "responses":
            names.append(t.get("name") or t.get("type"))
        elif api == "augment":
            names.append(t.get("name"))
        else:
            names.append((t.get("function") or {}).get("name"))
    return [n for n in names if n]


def concrete_call(agent, names, call):
    """(tool name, arguments JSON string or raw input, kind) for an abstract call."""
    kind = call[0]
    if agent == "kilo":
        agent = "opencode"  # Kilo Code's CLI has OpenCode's tools
    if kind == "malformed":
        if call[1] == "unknown_tool":
            return "uas_no_such_tool", json.dumps({"x": 1}), "function"
        # Broken JSON arguments for the agent's write tool.
        name = {
            "claude": "Write",
            "gemini": "write_file",
            "codex": "exec_command",
            "opencode": "write",
            "copilot": "bash",
            "qwen": "write_file",
            "auggie": "save-file",
            "droid": "Create",
            "cline": "editor",
        }[agent]
        return name, '{"file_path": "/tmp/x", "content": ', "function"
    if kind == "read" and agent == "claude":
        # Claude Code refuses to overwrite a file its session has not read.
        return "Read", json.dumps({"file_path": call[1]}), "function"
    if kind == "write":
        _, path, content = call
        if agent == "claude":
            return "Write", json.dumps({"file_path": path, "content": content}), "function"
        if agent in ("gemini", "qwen"):
            return "write_file", json.dumps({"file_path": path, "content": content}), "function"
        if agent == "auggie":
            return "save-file", json.dumps({"path": path, "file_content": content}), "function"
        if agent == "cline":
            # Cline 3.0.65: `editor` {path, new_text} creates or replaces a file.
            return "editor", json.dumps({"path": path, "new_text": content}), "function"
        if agent == "droid":
            # Factory Droid 0.225.2 with an Anthropic-provider model: `Create`
            # {file_path, content}; without `--auto` only its shell is offered.
            if "Create" in names:
                return "Create", json.dumps({"file_path": path, "content": content}), "function"
            cmd = f"printf '%s\\n' {json.dumps(content)} > {path}"
            return "Execute", json.dumps({"command": cmd, "riskLevel": "low", "riskLevelReason": "writes one file"}), "function"
        if agent == "opencode":
            return "write", json.dumps({"filePath": path, "content": content}), "function"
        if agent == "codex":
            patch = f"*** Begin Patch\n*** Add File: {path}\n+{content}\n*** End Patch\n"
            return "apply_patch", patch, "custom"
        if agent == "copilot":
            if "create" in names:
                return "create", json.dumps({"path": path, "file_text": content}), "function"
            cmd = f"printf '%s\\n' {json.dumps(content)} > {path}"
            return "bash", json.dumps({"command": cmd, "description": "write a file"}), "function"
    if kind == "subagent":
        prompt = call[1]
        if agent == "claude":
            # Claude Code 2.1.197 offers `Agent` (formerly `Task`), required
            # {description, prompt}; subagent_type defaults to general-purpose.
            return "Agent", json.dumps({"description": "Write hello.txt", "prompt": prompt, "subagent_type": "general-purpose"}), "function"
        if agent == "codex":
            # Codex 0.169.0 with `[features] multi_agent_v2 = true`: the
            # `collaboration` namespace's spawn_agent, required {task_name,
            # message}; it returns at once ({"task_name": "/root/<name>"}).
            # fork_turns "none": the child starts without the parent's turns.
            return "spawn_agent", json.dumps({"task_name": "hello_writer", "message": prompt, "fork_turns": "none"}), "namespace:collaboration"
        if agent == "copilot":
            # Copilot CLI 1.0.102 offers `task`, required {name, prompt,
            # agent_type, description}; mode "sync" waits for the subagent.
            return "task", json.dumps({"name": "hello-writer", "description": "Write hello.txt", "prompt": prompt, "agent_type": "general-purpose", "mode": "sync"}), "function"
        raise ValueError(f"no subagent tool scripted for {agent}")
    if kind == "wait_subagent" and agent == "codex":
        # `codex exec` ends (and drops the child) when the root turn ends:
        # the parent waits for the child's final answer first.
        return "wait_agent", json.dumps({"timeout_ms": 60000}), "namespace:collaboration"
    if kind == "shell":
        cmd = call[1]
        if agent == "claude":
            return "Bash", json.dumps({"command": cmd}), "function"
        if agent in ("gemini", "qwen"):
            return "run_shell_command", json.dumps({"command": cmd}), "function"
        if agent == "cline":
            return "run_commands", json.dumps({"commands": [cmd]}), "function"
        if agent == "droid":
            return "Execute", json.dumps({"command": cmd, "riskLevel": "low", "riskLevelReason": "test"}), "function"
        if agent == "auggie":
            return "launch-process", json.dumps({"command": cmd, "wait": True, "max_wait_seconds": 60, "cwd": "."}), "function"
        if agent == "codex":
            return "exec_command", json.dumps({"cmd": cmd}), "function"
        if agent == "opencode":
            return "bash", json.dumps({"command": cmd, "description": "run"}), "function"
        return "bash", json.dumps({"command": cmd, "description": "run"}), "function"
    raise ValueError(call)


def _sse(events):
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" if name else f"data: {json.dumps(data)}\n\n" for name, data in events)


def anthropic_stream(call, text):
    msg_id = "msg_" + uuid.uuid4().hex[:12]
    ev = [("message_start", {"type": "message_start", "message": {"id": msg_id, "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [], "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}}})]
    if call:
        name, args, _ = call
        ev += [
            ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "toolu_" + uuid.uuid4().hex[:12], "name": name, "input": {}}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": args}}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None}, "usage": {"output_tokens": 5}}),
        ]
    else:
        ev += [
            ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 5}}),
        ]
    ev.append(("message_stop", {"type": "message_stop"}))
    return _sse(ev)


def gemini_stream(call, text):
    if call:
        name, args, _ = call
        try:
            parsed = json.loads(args)
        except ValueError:
            parsed = {"_raw": args}
        part = {"functionCall": {"name": name, "args": parsed}}
    else:
        part = {"text": text}
    data = {
        "candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
        "modelVersion": "gemini-2.5-flash",
    }
    return _sse([(None, data)])


def responses_stream(call, text):
    resp_id = "resp_" + uuid.uuid4().hex[:12]
    base = {"id": resp_id, "object": "response", "created_at": 0, "model": "gpt-5.5", "status": "in_progress", "output": []}
    if call:
        name, args, kind = call
        cid = "call_" + uuid.uuid4().hex[:12]
        if kind == "custom":
            item = {"type": "custom_tool_call", "id": "ctc_" + cid, "call_id": cid, "name": name, "input": args, "status": "completed"}
        elif kind.startswith("namespace:"):
            # A tool inside a `namespace` tool (Codex's `collaboration`).
            item = {"type": "function_call", "id": "fc_" + cid, "call_id": cid, "namespace": kind.split(":", 1)[1], "name": name, "arguments": args, "status": "completed"}
        else:
            item = {"type": "function_call", "id": "fc_" + cid, "call_id": cid, "name": name, "arguments": args, "status": "completed"}
    else:
        item = {"type": "message", "id": "msg_" + resp_id, "role": "assistant", "status": "completed", "content": [{"type": "output_text", "text": text, "annotations": []}]}
    done = dict(base, status="completed", output=[item], usage={"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 15})
    return _sse([
        ("response.created", {"type": "response.created", "response": base}),
        ("response.output_item.added", {"type": "response.output_item.added", "output_index": 0, "item": item}),
        ("response.output_item.done", {"type": "response.output_item.done", "output_index": 0, "item": item}),
        ("response.completed", {"type": "response.completed", "response": done}),
    ])


def chat_stream(call, text, model):
    cid = "chatcmpl-" + uuid.uuid4().hex[:12]
    head = {"id": cid, "object": "chat.completion.chunk", "created": 0, "model": model}
    if call:
        name, args, _ = call
        delta = {"role": "assistant", "content": None, "tool_calls": [{"index": 0, "id": "call_" + uuid.uuid4().hex[:12], "type": "function", "function": {"name": name, "arguments": args}}]}
        finish = "tool_calls"
    else:
        delta = {"role": "assistant", "content": text}
        finish = "stop"
    chunks = [
        dict(head, choices=[{"index": 0, "delta": delta, "finish_reason": None}]),
        dict(head, choices=[{"index": 0, "delta": {}, "finish_reason": finish}], usage={"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}),
    ]
    return "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"


def augment_stream(call, text):
    """Augment's `/chat-stream`: NDJSON chunks; node type 5 is a tool call
    (stop_reason 3), type 0 text (stop_reason 1)."""
    if call:
        name, args, _ = call
        use = {"tool_use_id": "toolu_" + uuid.uuid4().hex[:12], "tool_name": name, "input_json": args}
        chunks = [{"text": "", "nodes": [{"id": 1, "type": 5, "tool_use": use}], "stop_reason": 3}]
    else:
        chunks = [{"text": text, "nodes": [{"id": 1, "type": 0, "content": text}]}, {"text": "", "nodes": [], "stop_reason": 1}]
    return "".join(json.dumps(c) + "\n" for c in chunks)


# Augment's other endpoints that Auggie calls at start; anything else gets {}.
AUGMENT_FIXED = {
    "/get-models": {"default_model": "mock", "models": [{"name": "mock", "suggested_prefix_char_count": 0, "suggested_suffix_char_count": 0}], "feature_flags": {"enable_hooks": True}, "user_tier": "PROFESSIONAL_TIER", "user": {"id": "u1", "email": "user@example.invalid"}},
    "/agents/list-remote-tools": {"tools": []},
}


class Server:
    """Runs on 127.0.0.1 in a thread; `calls` is the scenario's list."""

    def __init__(self, agent, calls, log_path, port=0):
        self.agent = agent
        self.calls = calls
        self.log_path = log_path
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_HEAD(self):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()

            def do_GET(self):
                path = self.path.split("?")[0]
                body = json.dumps({"object": "list", "data": [{"id": "mock-model", "object": "model"}]}).encode()
                server._log({"method": "GET", "path": path})
                self.send_response(200 if path.endswith("/models") else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                path = self.path.split("?")[0]
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                if server.agent == "auggie" and path != "/chat-stream":
                    out, api, reply = json.dumps(AUGMENT_FIXED.get(path, {})), "augment", {"tool": None}
                    ctype = "application/json"
                else:
                    out, api, reply = server.reply(path, body)
                    ctype = "application/x-ndjson" if api == "augment" else "text/event-stream"
                server._log({"method": "POST", "path": path, "api": api, "body": body, "reply": reply})
                data = out.encode()
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
                self.close_connection = True

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def _log(self, entry):
        with self.lock, open(self.log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def reply(self, path, body):
        if path.endswith("/v1/messages"):
            api = "anthropic"
        elif ":streamGenerateContent" in path or ":generateContent" in path:
            api = "gemini"
        elif path.endswith("/responses"):
            api = "responses"
        elif path == "/chat-stream":
            api = "augment"
        else:
            api = "chat"
        names = _tool_names(api, body)
        done = _count_results(api, body)
        calls, conversation = self.calls, "main"
        first = _first_user_text(api, body)
        for c in self.calls:
            if c[0] == "subagent" and c[1] in first:
                calls, conversation = c[2], "subagent"
        call = None
        if names and done < len(calls):
            call = concrete_call(self.agent, names, calls[done])
        text = "done"
        if api == "anthropic":
            out = anthropic_stream(call, text)
        elif api == "gemini":
            out = gemini_stream(call, text)
        elif api == "responses":
            out = responses_stream(call, text)
        elif api == "augment":
            out = augment_stream(call, text)
        else:
            out = chat_stream(call, text, body.get("model", "mock-model"))
        return out, api, {"tool": call[0] if call else None, "results_seen": done, "conversation": conversation}

    def close(self):
        self.httpd.shutdown()
