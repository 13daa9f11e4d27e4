#!/bin/sh
# A stand-in for yt-dlp that never answers in time.
sleep 30
