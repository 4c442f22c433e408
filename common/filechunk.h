#pragma once

#include "common/limits.h"

#include <QByteArray>
#include <QString>
#include <QtEndian>

#include <optional>

// The binary frames of file transfers (docs/PROTOCOL.md "Files"): one byte of kind, the
// chunk's offset as 8 bytes big-endian, the id's length (1 byte) and the id (ASCII), then
// the data (1 to Limits::MaxChunkBytes bytes). Header-only: both sides build and read them.
namespace Confab::FileChunk {

enum class Kind : quint8 { Upload = 0x01, Download = 0x02 };

struct Chunk
{
    Kind kind = Kind::Upload;
    qint64 offset = 0;
    QString id; // an uploadId (upload) or a fileId (download)
    QByteArray data;
};

// Ids on the wire: ASCII letters, digits, '-' and '_' only, so no id can ever be a path.
inline bool isValidId(const QString &id, int minLength = 1, int maxLength = Limits::MaxUploadIdLength)
{
    if (id.size() < minLength || id.size() > maxLength)
        return false;
    for (const QChar c : id) {
        const char16_t u = c.unicode();
        const bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')
            || u == '-' || u == '_';
        if (!ok)
            return false;
    }
    return true;
}

inline QByteArray encode(Kind kind, qint64 offset, const QString &id, QByteArrayView data)
{
    const QByteArray idBytes = id.toLatin1();
    QByteArray frame;
    frame.resize(10 + idBytes.size() + data.size());
    char *p = frame.data();
    p[0] = char(kind);
    qToBigEndian<quint64>(quint64(offset), p + 1);
    p[9] = char(quint8(idBytes.size()));
    memcpy(p + 10, idBytes.constData(), size_t(idBytes.size()));
    if (!data.isEmpty())
        memcpy(p + 10 + idBytes.size(), data.data(), size_t(data.size()));
    return frame;
}

// Empty when the frame is not a well-formed chunk.
inline std::optional<Chunk> decode(const QByteArray &frame)
{
    if (frame.size() < 11)
        return std::nullopt;
    const auto *p = reinterpret_cast<const uchar *>(frame.constData());
    if (p[0] != quint8(Kind::Upload) && p[0] != quint8(Kind::Download))
        return std::nullopt;
    const quint64 offset = qFromBigEndian<quint64>(p + 1);
    const int idLength = p[9];
    const qsizetype dataSize = frame.size() - 10 - idLength;
    if (offset > quint64(Q_INT64_C(0x7fffffffffffffff)) || idLength < 1 || dataSize < 1
        || dataSize > Limits::MaxChunkBytes)
        return std::nullopt;
    Chunk c;
    c.kind = Kind(p[0]);
    c.offset = qint64(offset);
    c.id = QString::fromLatin1(frame.constData() + 10, idLength);
    if (!isValidId(c.id))
        return std::nullopt;
    c.data = frame.mid(10 + idLength);
    return c;
}

// A name with path separators turned into '_' and control, format and line-separator
// characters dropped, trimmed. The shared first step of displayName() and of the client's
// safe saving.
inline QString withoutUnsafeCharacters(const QString &name)
{
    QString out;
    out.reserve(name.size());
    for (const QChar c : name) {
        if (c == QLatin1Char('/') || c == QLatin1Char('\\'))
            out.append(QLatin1Char('_'));
        else if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format
                 || c == QChar::LineSeparator || c == QChar::ParagraphSeparator)
            continue;
        else
            out.append(c);
    }
    return out.trimmed();
}

// A file name as metadata for display: no path separators, no control or format
// characters, not empty, at most Limits::MaxFileNameLength characters. Never a path.
inline QString displayName(const QString &name)
{
    QString out = withoutUnsafeCharacters(name);
    if (out.size() > Limits::MaxFileNameLength) {
        out.truncate(Limits::MaxFileNameLength);
        if (out.back().isHighSurrogate())
            out.chop(1);
    }
    if (out.isEmpty() || out == QLatin1String(".") || out == QLatin1String(".."))
        out = QStringLiteral("file");
    return out;
}

} // namespace Confab::FileChunk
