"""The platform registry: each platform's writer, by name. Code that varies by platform looks it up here."""

from audience.platforms.base import ExportFile, FileIdentifier, Op, PlatformWriter
from audience.platforms.google import GoogleWriter
from audience.platforms.meta import MetaWriter
from audience.platforms.tiktok import TikTokWriter

PLATFORMS: dict[str, PlatformWriter] = {
    writer.name: writer for writer in (GoogleWriter(), MetaWriter(), TikTokWriter())
}

__all__ = ["PLATFORMS", "ExportFile", "FileIdentifier", "Op", "PlatformWriter"]
