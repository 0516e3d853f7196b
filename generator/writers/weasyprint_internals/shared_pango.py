"""Text layouts set up from shared Pango objects (part of speedups.py's
shortcuts); the same glyphs, so the same PDF bytes.

WeasyPrint sets up a Pango layout for each text box it lays out, and again
for each one it draws: some 10,000 for 1,000 table rows. ``Layout.setup``
makes a new Pango context for each (the font map's, with the direction and
the language set) and a new font description from the style, some 16
microseconds a layout, 8 % of laying out a long table. A Pango context that
is never changed once set up can serve any number of layouts (a layout reads
it; Pango copies a font description into the layout), so ``setup_shared`` keeps one
context per direction and language, and one font description per set of font
properties, for each font configuration.

``strut`` (a style's line height and baseline) is cached by WeasyPrint under
a key made with ``str()`` of fourteen font properties, which costs more than
the rest of a hit: ``strut_by_value`` keys its own cache by the values themselves.
"""

from __future__ import annotations

import weakref
from operator import itemgetter
from typing import Any

from weasyprint.text import line_break
from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
from weasyprint.text.fonts import font_features, get_font_description

_FACE = ("font_family", "font_style", "font_stretch", "font_weight")
_VARIANTS = (
    "font_variant_ligatures",
    "font_variant_position",
    "font_variant_caps",
    "font_variant_numeric",
    "font_variant_alternates",
    "font_variant_east_asian",
    "font_feature_settings",
)
# What get_font_description and font_features read.
_FONT = itemgetter(*_FACE, "font_size", "font_variant_caps", "font_variation_settings")
_FEATURES = itemgetter("font_kerning", *_VARIANTS)
# What strut's own key holds: the font properties, the size and the line height.
_STRUT = itemgetter(
    *_FACE,
    *_VARIANTS,
    "font_variation_settings",
    "font_language_override",
    "lang",
    "font_size",
    "line_height",
)


class _Shared:
    """One font configuration's Pango contexts, font descriptions, font
    feature strings and struts."""

    def __init__(self) -> None:
        self.contexts: dict[tuple[str, str | None], tuple[Any, Any]] = {}
        self.descriptions: dict[tuple[Any, ...], Any] = {}
        self.features: dict[tuple[Any, ...], bytes | None] = {}
        self.struts: dict[tuple[Any, ...], tuple[float, float]] = {}


_shared: weakref.WeakKeyDictionary[Any, _Shared] = weakref.WeakKeyDictionary()
# The last font configuration asked for and its objects: a document asks for
# the same one each time, and a look-up in _shared costs a weak reference.
_last: tuple[weakref.ref[Any], _Shared] | None = None


def _for(font_config: Any) -> _Shared:
    global _last
    last = _last
    if last is not None and last[0]() is font_config:
        return last[1]
    shared = _shared.get(font_config)
    if shared is None:
        shared = _shared[font_config] = _Shared()
    _last = (weakref.ref(font_config), shared)
    return shared


def _context(shared: _Shared, font_map: Any, direction: str, lang: str | None) -> tuple[Any, Any]:
    """The Pango context and language for layouts of this direction and
    language, set up as Layout.setup sets up its own."""
    key = (direction, lang)
    known = shared.contexts.get(key)
    if known is None:
        context = ffi.gc(pango.pango_font_map_create_context(font_map), gobject.g_object_unref)
        pango.pango_context_set_round_glyph_positions(context, False)
        pango.pango_context_set_base_dir(context, PANGO_DIRECTION[direction])
        language = None
        if lang:
            lang_p, _ = unicode_to_char_p(lang)
            language = pango.pango_language_from_string(lang_p)
            pango.pango_context_set_language(context, language)
        known = shared.contexts[key] = (context, language)
    return known


_original_setup = line_break.Layout.setup


def setup_shared(self: Any, style: Any) -> None:
    """Layout.setup (WeasyPrint 70's, replicated) with the context and the
    font description shared."""
    font_key, features_key = _FONT(style), _FEATURES(style)
    try:
        hash((font_key, features_key))
    except TypeError:  # a value that is not hashable: set up as WeasyPrint does
        _original_setup(self, style)
        return
    self.style = style
    self.first_line_direction = 0
    shared = _for(style.font_config)

    if style["font_language_override"] != "normal":
        override = style["font_language_override"]
        lang = LST_TO_ISO.get(override.lower(), override)
    elif style["lang"]:
        lang = style["lang"]
    else:
        lang = None
    pango_context, language = _context(shared, style.font_config.font_map, style["direction"], lang)
    self.language = language if lang else pango.pango_language_get_default()

    assert not isinstance(style["font_family"], str), "font_family should be a list"
    font_description = shared.descriptions.get(font_key)
    if font_description is None:
        font_description = shared.descriptions[font_key] = get_font_description(style)
    self.layout = ffi.gc(pango.pango_layout_new(pango_context), gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(self.layout, False)
    pango.pango_layout_set_font_description(self.layout, font_description)

    if style["text_decoration_line"] != "none":
        _decoration_metrics(self, pango_context, font_description)
    else:
        self.ascent = None
        self.underline_position = None
        self.strikethrough_position = None

    if features_key in shared.features:
        features = shared.features[features_key]
    else:
        found = font_features(*features_key)
        features = ",".join(f"{key} {value}" for key, value in found.items()).encode() or None
        shared.features[features_key] = features
    if features:
        # As WeasyPrint: the attribute kept in the font configuration.
        attr = style.font_config.font_features.setdefault(
            features, pango.pango_attr_font_features_new(features)
        )
        attr_list = pango.pango_attr_list_new()
        pango.pango_attr_list_insert(attr_list, attr)
        pango.pango_layout_set_attributes(self.layout, attr_list)


def _decoration_metrics(layout: Any, pango_context: Any, font_description: Any) -> None:
    """The underline and strike-through metrics Layout.setup reads for a
    decorated text."""
    metrics = ffi.gc(
        pango.pango_context_get_metrics(pango_context, font_description, layout.language),
        pango.pango_font_metrics_unref,
    )
    layout.ascent = FROM_UNITS * pango.pango_font_metrics_get_ascent(metrics)
    layout.underline_position = FROM_UNITS * pango.pango_font_metrics_get_underline_position(
        metrics
    )
    layout.strikethrough_position = FROM_UNITS * (
        pango.pango_font_metrics_get_strikethrough_position(metrics)
    )
    layout.underline_thickness = FROM_UNITS * pango.pango_font_metrics_get_underline_thickness(
        metrics
    )
    layout.strikethrough_thickness = FROM_UNITS * (
        pango.pango_font_metrics_get_strikethrough_thickness(metrics)
    )


_original_strut = line_break.strut


def strut_by_value(style: Any) -> tuple[float, float]:
    """line_break.strut, its cache keyed by the values of the properties
    WeasyPrint's own key is made of."""
    if style["font_size"] == 0:
        return 0, 0
    struts = _for(style.font_config).struts
    key = _STRUT(style)
    try:
        return struts[key]
    except KeyError:
        pass
    except TypeError:  # a value that is not hashable (a math function)
        return _original_strut(style)  # type: ignore[no-any-return]
    result: tuple[float, float] = _original_strut(style)
    struts[key] = result
    return result
