"""console: a terminal operations console for Next.js sites with Netlify background and scheduled routes."""

__version__ = "0.1.0"
