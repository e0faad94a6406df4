"""Where the panels dock, and where the layout is remembered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from imgui_bundle import hello_imgui, imgui

from src.core.paths import config_dir

LAYOUT_FILE = "layout.ini"


def layout_path() -> Path:
    """The imgui settings file (docking layout, window sizes): in the user config dir, never the cwd."""
    return config_dir() / LAYOUT_FILE


def docking_splits() -> list[hello_imgui.DockingSplit]:
    return [
        hello_imgui.DockingSplit("MainDockSpace", "SideSpace", imgui.Dir.left, 0.26),
        hello_imgui.DockingSplit("MainDockSpace", "ToolSpace", imgui.Dir.right, 0.42),
        hello_imgui.DockingSplit("MainDockSpace", "MessageSpace", imgui.Dir.down, 0.27),
        hello_imgui.DockingSplit("SideSpace", "ProviderSpace", imgui.Dir.down, 0.5),
    ]


PLACEMENT = {
    "Discussion": "MainDockSpace",
    "Message": "MessageSpace",
    "Context": "SideSpace",
    "Providers": "ProviderSpace",
    "Plugins": "ToolSpace",
    "Diagnostics": "ToolSpace",
}


def dockable_windows(draw: dict[str, Callable[[], None]]) -> list[hello_imgui.DockableWindow]:
    windows = []
    for label, space in PLACEMENT.items():
        window = hello_imgui.DockableWindow(label, space, draw[label])
        window.can_be_closed = label not in ("Discussion", "Message")
        windows.append(window)
    return windows


MIN_DISCUSSION_SHARE = 0.36  # of the window's width, kept for the Discussion column when the window shrinks
MIN_DISCUSSION_EMS = 18.0
FIT_FRAMES = 8  # frames to keep fitting after a resize (docking settles one level a frame)


class DiscussionFit:
    """Keeps the Discussion column usable when the window gets narrow, and gives the space back.

    Dear ImGui keeps the side docks at their absolute width when the window
    shrinks, so the central column takes all the loss. After a change of width
    (and at start, when the saved layout may come from a wider window), side
    docks next to the Discussion are scaled down together until it has its
    share again; their widths from before are remembered, and when the window
    grows again they get them back as far as the Discussion's share allows. A
    splitter the user drags at a steady size is left alone.
    """

    def __init__(self) -> None:
        self._width = -1.0
        self._frames_left = 0
        self._before_narrowed: dict[int, float] = {}  # side dock id -> its width before the fit narrowed it
        self.adjustments = 0  # how many times side docks were resized (tests, Diagnostics)

    def update(self, labels: list[str], protected: str = "Discussion") -> None:
        """Call once a frame, after the dock space is submitted (GUI thread)."""
        width = imgui.get_main_viewport().work_size.x
        if width != self._width:
            self._width, self._frames_left = width, FIT_FRAMES
        if self._frames_left <= 0:
            return
        self._frames_left -= 1
        window = imgui.internal.find_window_by_name(protected)
        node = window.dock_node if window is not None else None
        if node is None:
            return
        wanted = min(max(width * MIN_DISCUSSION_SHARE, hello_imgui.em_size(MIN_DISCUSSION_EMS)), width * 0.8)
        sides = _side_nodes(node, [label for label in labels if label != protected])
        if node.size.x >= wanted - 1.0:
            self._give_back(sides, spare=node.size.x - wanted)
            return
        total = sum(side.size.x for side in sides.values())
        if total <= 0.0:
            return
        room = max(total - (wanted - node.size.x), total * 0.2)
        scale = room / total
        for side in sides.values():
            self._before_narrowed.setdefault(side.id_, side.size.x)
            imgui.internal.dock_builder_set_node_size(side.id_, imgui.ImVec2(side.size.x * scale, side.size.y))
        self.adjustments += 1

    def _give_back(self, sides: dict[int, imgui.internal.DockNode], spare: float) -> None:
        """Widen narrowed side docks toward their old widths with what the Discussion can spare."""
        missing = {i: self._before_narrowed[i] - side.size.x for i, side in sides.items() if i in self._before_narrowed}
        for i, short in list(missing.items()):
            if short <= 1.0:
                del self._before_narrowed[i], missing[i]  # back to its width
        if spare <= 1.0 or not missing:
            return
        share = min(1.0, spare / sum(missing.values()))
        for i, short in missing.items():
            side = sides[i]
            imgui.internal.dock_builder_set_node_size(i, imgui.ImVec2(side.size.x + short * share, side.size.y))
        self.adjustments += 1


def _side_nodes(protected: imgui.internal.DockNode, labels: list[str]) -> dict[int, imgui.internal.DockNode]:
    """The docks that sit beside ``protected`` across a left/right split, by id."""
    ancestors = set()
    walk = protected
    while walk is not None:
        ancestors.add(walk.id_)
        walk = walk.parent_node
    sides: dict[int, imgui.internal.DockNode] = {}
    for label in labels:
        window = imgui.internal.find_window_by_name(label)
        node = window.dock_node if window is not None else None
        while node is not None and node.id_ not in ancestors:
            parent = node.parent_node
            if parent is not None and parent.id_ in ancestors and parent.split_axis == imgui.internal.Axis.x:
                sides[node.id_] = node
                break
            node = parent
    return sides
