"""The program's place on the desktop: menu entry, icons, metainfo, start at login."""
