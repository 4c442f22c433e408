#pragma once

#include <QtGlobal>

// The bounds Confab puts on what a peer may send, shared by the server (which enforces
// them) and the client (which keeps its own output inside them). docs/PROTOCOL.md lists each.
namespace Confab::Limits {

// A text frame and a whole text message; Qt's default is about 2 GiB.
inline constexpr quint64 MaxFrameBytes = 64 * 1024;
inline constexpr quint64 MaxMessageBytes = 64 * 1024;
// A chat message's text, in UTF-16 code units, as sent (not trimmed).
inline constexpr int MaxTextLength = 4000;
// A nickname, in Unicode code points after NFKC normalisation.
inline constexpr int MaxNickLength = 32;
// A room name, in characters.
inline constexpr int MaxRoomNameLength = 64;
// A client-chosen message id.
inline constexpr int MaxClientIdLength = 64;
// Messages the welcome carries on a fresh join, and at most per history page.
inline constexpr int WelcomeHistory = 100;
inline constexpr int MaxHistoryPage = 500;
// A server frame carrying several messages stays far below the 512 KiB at which Qt
// splits text frames (and a split mid-character is rejected by Qt's own reader).
inline constexpr int MaxBatchBytes = 256 * 1024;
// Different emoji on one message (each member counts once per emoji).
inline constexpr int MaxReactionKinds = 20;
// Messages kept in history unless --history-limit says otherwise.
inline constexpr int DefaultHistoryLimit = 100000;

// Files: data bytes in one binary chunk (the frame stays far below MaxFrameBytes), the
// server's ack interval, how much a sender may have unacknowledged, ids and names.
inline constexpr int MaxChunkBytes = 32 * 1024;
inline constexpr qint64 FileAckInterval = 256 * 1024;
inline constexpr qint64 MaxFileBacklog = 256 * 1024; // queued download bytes per socket
inline constexpr int MinUploadIdLength = 8;
inline constexpr int MaxUploadIdLength = 64;
inline constexpr int MaxFileNameLength = 255;
inline constexpr int MaxMimeLength = 127;
inline constexpr qint64 DefaultMaxFileSize = 100LL * 1024 * 1024;
inline constexpr qint64 DefaultMaxStorage = 2LL * 1024 * 1024 * 1024;

} // namespace Confab::Limits
