"""A Streamlit client without a browser: one websocket session speaking Streamlit's protocol.

What a browser tab does, reduced to what the load bench needs: connect to /_stcore/stream, ask for
a script run with a ClientState (query string, page, widget states: BackMsg.rerun_script) and
collect the ForwardMsgs of that run until its script_finished. A run's deltas are kept by container
(main area or sidebar) so a caller can read the page it was shown, find widgets by label and send
their values back as the browser would.

Streamlit's wire format as used here (streamlit/proto; the server: streamlit/web/server/starlette):
- every run starts with `new_session` (its page_script_hash) and ends with `script_finished`; a
  run that calls st.rerun ends FINISHED_EARLY_FOR_RERUN and the server starts the next one itself;
- `navigation` lists the pages of this run (page_script_hash, title, url_pathname);
- `page_info_changed` carries the query string the script wrote (st.query_params);
- `delta` messages carry elements at metadata.delta_path, whose first index is the root container.
Loopback only: the bench never talks to anything but the server it started."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

MAIN, SIDEBAR = 0, 1  # root containers of delta_path (RootContainer in Streamlit's proto)
FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY
RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the caller reads the 303 itself
        return None


def _get(url: str) -> tuple[int, str | None]:
    """GET url without following its redirect: (status, "name=value" of its Set-Cookie or None)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as err:  # 3xx arrive here when not followed
        status, headers = err.code, err.headers
    found = headers.get("Set-Cookie")
    return status, found.split(";", 1)[0] if found else None


class ProtocolError(Exception):
    """The server answered what a browser shows as broken (a timeout, an exception, no page)."""


@dataclass
class Page:
    """What one completed script run showed: its page, elements by container, how long it took."""

    page_script_hash: str = ""
    pages: dict[str, dict] = field(default_factory=dict)  # url path -> {hash, title}
    query_string: str = ""
    elements: dict[int, list] = field(default_factory=lambda: {MAIN: [], SIDEBAR: []})
    raw: dict[int, list[bytes]] = field(default_factory=lambda: {MAIN: [], SIDEBAR: []})
    exceptions: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def url_path(self) -> str | None:
        return next((p for p, v in self.pages.items() if v["hash"] == self.page_script_hash), None)

    def widget(self, kind: str, label: str, container: int | None = None):
        """The first element of a kind ('text_input', 'selectbox', 'button') with this label."""
        for where in (MAIN, SIDEBAR) if container is None else (container,):
            for element in self.elements[where]:
                if element.WhichOneof("type") == kind and getattr(element, kind).label == label:
                    return getattr(element, kind)
        return None

    def text(self, container: int = MAIN) -> str:
        """Everything a container received as text: protobuf strings, tables' Arrow data, charts.

        Chart specs are JSON with non-ASCII characters escaped (\\u957f…): they are decoded, so a
        name in a chart's labels counts like a name in a table."""
        parts = [blob.decode("utf-8", "replace") for blob in self.raw[container]]
        for element in self.elements[container]:
            if element.WhichOneof("type") == "plotly_chart" and element.plotly_chart.spec:
                parts.append(json.dumps(json.loads(element.plotly_chart.spec), ensure_ascii=False))
        return "\n".join(parts)


class Session:
    """One simulated browser tab. Use `async with Session(url) as s: page = await s.run(...)`."""

    def __init__(self, base_url: str, timeout: float = 120.0):
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url.replace("http://", "ws://") + "/_stcore/stream"
        self.cookie: str | None = None  # "name=value" the server set (serve.py's sign-in cookie)
        self.timeout = timeout
        self.ws = None
        self.widgets: dict[
            str, WidgetState
        ] = {}  # the widget values this tab holds (sent on every run)
        self.last: Page | None = None

    async def __aenter__(self) -> Session:
        await self._connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def _connect(self) -> None:
        headers = {"Cookie": self.cookie} if self.cookie else None
        self.ws = await websockets.connect(
            self.url,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=self.timeout,
            additional_headers=headers,
        )

    async def fetch_cookie(self, path: str) -> None:
        """What the page after 登录 has the browser do (serve.py's sign-in, ui/login.py
        hand_over_cookie): GET `path` (/auth/session?ticket=…) in the background and keep the
        cookie it sets; the websocket session goes on, signed in."""
        status, cookie = await asyncio.to_thread(_get, self.base_url + path)
        if status != 303 or not cookie:
            raise ProtocolError(f"{path.split('?')[0]} answered {status} without a cookie")
        self.cookie = cookie

    def set_text(self, widget_id: str, value: str) -> None:
        self.widgets[widget_id] = WidgetState(id=widget_id, string_value=value)

    def click(self, widget_id: str) -> None:
        """A button press: a trigger sent with the next run only."""
        self.widgets[widget_id] = WidgetState(id=widget_id, trigger_value=True)

    async def run(self, url_path: str | None = None, query_string: str | None = None) -> Page:
        """Ask for a run of the page at url_path (None: the page shown now); wait for it.

        The page is named both by its script hash (what a browser's navigation link sends) and by
        its url path (what a typed-in address sends): whichever the server's page lookup uses, the
        intended page runs."""
        msg = BackMsg()
        state = msg.rerun_script
        known = self.last.pages if self.last else {}
        if url_path is None and self.last is not None:
            url_path = self.last.url_path
        if url_path is not None:
            state.page_name = url_path
            state.page_script_hash = known.get(url_path, {}).get("hash", "")
        if (
            query_string is None
        ):  # switching page drops the query string (Streamlit does); a rerun keeps it
            same = self.last is not None and url_path == self.last.url_path
            query_string = self.last.query_string if same else ""
        state.query_string = query_string
        state.widget_states.widgets.extend(self.widgets.values())
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.locale = "zh-CN"
        self.widgets = {k: v for k, v in self.widgets.items() if not v.HasField("trigger_value")}
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        page = await self._collect(query_string, known)
        page.seconds = time.perf_counter() - started
        self.last = page
        return page

    async def _collect(self, query_string: str, pages: dict) -> Page:
        """The ForwardMsgs up to the script_finished of a completed run (runs ended for a rerun are
        skipped)."""
        page = Page(pages=dict(pages), query_string=query_string)
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProtocolError(f"no finished run within {self.timeout:.0f} s")
            data = await asyncio.wait_for(self.ws.recv(), left)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":  # a run starts: forget what an earlier (rerun) run drew
                page.page_script_hash = fwd.new_session.page_script_hash
                page.elements = {MAIN: [], SIDEBAR: []}
                page.raw = {MAIN: [], SIDEBAR: []}
                page.exceptions = []
            elif kind == "navigation":
                page.page_script_hash = fwd.navigation.page_script_hash
                page.pages = {
                    p.url_pathname: {"hash": p.page_script_hash, "title": p.page_name}
                    for p in fwd.navigation.app_pages
                }
            elif kind == "page_info_changed":
                page.query_string = fwd.page_info_changed.query_string
            elif kind == "delta":
                self._delta(page, fwd, data)
            elif kind == "session_event" and fwd.session_event.WhichOneof("type") in (
                "script_compilation_exception",
            ):
                page.exceptions.append(str(fwd.session_event))
            elif kind == "script_finished":
                if fwd.script_finished == FINISHED:
                    return page
                if fwd.script_finished != RERUN:
                    raise ProtocolError(f"script finished with status {fwd.script_finished}")

    @staticmethod
    def _delta(page: Page, fwd: ForwardMsg, data: bytes) -> None:
        path = list(fwd.metadata.delta_path)
        root = path[0] if path else MAIN
        if root not in page.raw:
            return
        page.raw[root].append(data)
        delta = fwd.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        page.elements[root].append(element)
        if element.WhichOneof("type") == "exception":
            page.exceptions.append(f"{element.exception.type}: {element.exception.message}")
