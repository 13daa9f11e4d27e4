#!/bin/sh
# A broken stand-in for yt-dlp: exits 0 but prints something that is not JSON.
echo "<html><body>Sign in to confirm you're not a bot</body></html>"
