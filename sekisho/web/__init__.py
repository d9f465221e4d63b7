"""The web dashboard (`sekisho serve`): server-rendered pages over the same library the CLI uses.

from sekisho.web import create_app, WebConfig
app = create_app(db=Path("site.duckdb"))            # listens on 127.0.0.1 when served
"""

from sekisho.web.app import create_app
from sekisho.web.config import WebConfig, is_loopback, new_token

__all__ = ["WebConfig", "create_app", "is_loopback", "new_token"]
