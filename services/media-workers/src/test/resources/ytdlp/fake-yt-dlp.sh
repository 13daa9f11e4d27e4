#!/bin/sh
# A stand-in for yt-dlp in tests: prints a captured `yt-dlp -J --flat-playlist` document chosen by the URL (the last
# argument) and writes its arguments to args.txt beside itself, so the test can check how it was called.
here=$(dirname "$0")
echo "$@" > "$here/args.txt"
for last; do :; done
case "$last" in
  *list=*) cat "$here/playlist.json" ;;
  *watch\?v=private*) echo "ERROR: [youtube] private0001: Private video. Sign in if you've been granted access to this video" >&2; exit 1 ;;
  *watch\?v=*) cat "$here/video.json" ;;
  *) echo "ERROR: [generic] '$last' is not a valid URL" >&2; exit 1 ;;
esac
