#pragma once

#include <QByteArrayView>
#include <QCryptographicHash>
#include <QFile>
#include <QHash>
#include <QSet>
#include <QString>

#include <memory>

// The room's file bytes: DATA/files/<fileId> for stored files, DATA/files/partial/<key> for
// uploads on their way. Names on disk are never taken from clients: a fileId is a fresh
// UUID, a partial's key is the SHA-256 of (member, uploadId, size, sha256), so the same
// member announcing the same upload again (after a reconnect) resumes it, and anything
// else starts afresh. It keeps the storage cap: bytes on disk plus what uploads under way
// may still add never exceed maxStorage.
class FileStore final
{
    Q_DISABLE_COPY_MOVE(FileStore)

public:
    enum class Result { Ok, TooBig, StorageFull, BadOffset, Corrupt, NotFound, Failed };
    struct Begun
    {
        Result result = Result::Failed;
        QString key; // the upload's handle for append() and release()
        qint64 offset = 0; // bytes already held
    };
    struct Appended
    {
        Result result = Result::Failed;
        qint64 offset = 0; // bytes held now (the expected offset after BadOffset)
        bool complete = false; // all bytes are there and matched: fileId names the file
        QString fileId;
    };
    enum class Partial { Keep, Remove };

    FileStore();
    ~FileStore();

    // Creates DIR/files and DIR/files/partial, removes partials older than
    // partialMaxAgeSecs and counts what is stored. On failure errorString() says why.
    bool open(const QString &dataDir, qint64 maxFileSize, qint64 maxStorage,
              qint64 partialMaxAgeSecs = 24 * 3600);
    QString errorString() const { return m_error; }
    QString directory() const { return m_dir; }
    qint64 maxFileSize() const { return m_maxFileSize; }
    qint64 maxStorage() const { return m_maxStorage; }
    qint64 usedBytes() const { return m_used; } // on disk: files and partials
    qint64 reservedBytes() const { return m_reserved; } // still to come for uploads under way

    // Begins an upload of `size` bytes with this SHA-256 (hex), or resumes its partial.
    // `owner` is who may append; a later begin of the same upload takes it over.
    Begun begin(const void *owner, const QString &memberKey, const QString &uploadId, qint64 size,
                const QString &sha256);
    // Appends data at `offset` (which must be the bytes held). When the last byte arrives
    // the file is checked against its SHA-256: a match is moved to files/ (complete), a
    // mismatch is deleted (Corrupt).
    Appended append(const void *owner, const QString &key, qint64 offset, QByteArrayView data);
    // The upload stops here; its partial stays for a resume, or goes. A kept one is parked
    // with its running hash (the most recent MaxParked of them), so that a resume after a
    // reconnect goes on without reading the bytes held again; an older one, or one after a
    // restart, is read once more to rebuild the hash.
    void release(const void *owner, const QString &key, Partial partial);
    static constexpr int MaxParked = 32;
    // Bytes of partials read back to rebuild a hash on resume (for tests and the log).
    qint64 rehashedBytes() const { return m_rehashed; }
    bool isActive(const QString &key) const { return m_uploads.contains(key); }

    // The stored file's path, or empty when there is no such file.
    QString filePath(const QString &fileId) const;
    qint64 fileSize(const QString &fileId) const;
    void removeFile(const QString &fileId);
    // Deletes stored files that no message carries any more (trimmed or deleted history).
    int removeUnreferenced(const QSet<QString> &fileIds);

private:
    struct Upload
    {
        const void *owner = nullptr;
        std::unique_ptr<QFile> file;
        QCryptographicHash hash { QCryptographicHash::Sha256 };
        qint64 size = 0;
        qint64 held = 0;
        QByteArray sha256; // expected, lower-case hex
    };
    QString partialPath(const QString &key) const;
    Appended finish(const QString &key, Upload &upload);
    void drop(const QString &key, Partial partial);

    QString m_dir;
    QString m_error;
    qint64 m_maxFileSize = 0;
    qint64 m_maxStorage = 0;
    qint64 m_used = 0;
    qint64 m_reserved = 0;
    QHash<QString, Upload *> m_uploads; // under way (owner set) or parked (owner null)
    QList<QString> m_parked; // oldest first
    qint64 m_rehashed = 0;
};
