#pragma once

#include "common/protocol.h"

#include <QCryptographicHash>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <QFutureWatcher>

#include <atomic>
#include <memory>

class ChatClient;
class QFile;
class QTemporaryFile;

// Uploads and downloads of shared files over a ChatClient's connection (docs/PROTOCOL.md
// "Files"). An upload is announced with its size and SHA-256 and sent in chunks with a
// bounded window of unacknowledged bytes; after a reconnect it is announced again and goes
// on from the offset the server holds. A download is written to a hidden temporary file
// in the destination directory, checked against the SHA-256, and only then given its
// final name: a safe one, never outside the directory, never over an existing file.
// No widgets: the GUI asks the questions (overwrite? where?), this class never overwrites.
class FileTransfer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileTransfer)

public:
    explicit FileTransfer(ChatClient *client, QObject *parent = nullptr);
    ~FileTransfer() override;

    // Starts sharing the file at `path` (with `to`: a direct message). Returns the upload's
    // id, or empty (with failed() emitted) when the file cannot be read. Its SHA-256 is
    // computed on a worker thread (a big file takes seconds); the upload is announced
    // when that is done, and hashing() is true until then.
    QString upload(const QString &path, const QString &to = {});
    // Fetches an attachment into `destinationDir`. Returns its fileId.
    QString download(const Confab::Protocol::FileInfo &file, const QString &destinationDir);
    // Stops an upload (by uploadId; the server deletes its partial) or a download (fileId).
    void cancel(const QString &id);

    bool isActive(const QString &id) const;
    bool isHashing(const QString &uploadId) const;
    int activeCount() const { return int(m_uploads.size() + m_downloads.size()); }
    // For tests: the most bytes sent and not yet acknowledged by the server.
    void setWindowBytes(qint64 bytes) { m_window = bytes; }
    // Downloads asked for at once (the room takes 8 per connection); the rest wait their
    // turn in the order they were asked for.
    static constexpr int DefaultMaxDownloads = 4;
    void setMaxDownloads(int count) { m_maxDownloads = qMax(1, count); }

    // A file name that is safe to create in a directory: no '/' or '\', no control or
    // format characters, no leading dots (no hidden files, no "..") and not empty
    // ("file"), at most 255 characters with the extension kept.
    static QString safeFileName(const QString &name);
    // DIR/name, or DIR/"name (1).ext", "name (2).ext"... the first that does not exist.
    static QString uniquePath(const QString &directory, const QString &name);

Q_SIGNALS:
    void uploadProgress(const QString &uploadId, qint64 sent, qint64 total);
    void uploadFinished(const QString &uploadId, const QString &fileId, qint64 seq);
    void downloadProgress(const QString &fileId, qint64 received, qint64 total);
    void downloadFinished(const QString &fileId, const QString &path);
    // The transfer ended without success (code as in the protocol, or "read-failed",
    // "write-failed"); `id` is the uploadId or the fileId.
    void failed(const QString &id, const QString &code, const QString &message);

private:
    struct Upload
    {
        std::unique_ptr<QFile> file;
        Confab::Protocol::FileStart start;
        qint64 sent = 0; // the next offset to send
        qint64 acked = 0; // what the server holds
        bool ready = false; // fileReady arrived on this connection
        bool paused = false; // waiting after a rate limit
        // Hashing on a worker thread: told to stop when the upload goes before it is done.
        std::shared_ptr<std::atomic_bool> stopHashing = std::make_shared<std::atomic_bool>(false);
        std::unique_ptr<QFutureWatcher<QString>> hashing;
        ~Upload();
    };
    struct Download
    {
        Confab::Protocol::FileInfo file;
        QString directory;
        std::unique_ptr<QTemporaryFile> temp;
        QCryptographicHash hash { QCryptographicHash::Sha256 };
        qint64 received = 0;
        bool started = false; // asked for; otherwise waiting in m_downloadQueue
    };

    void onJoined();
    void onHashed(const QString &uploadId, const QString &sha256);
    void onFileReady(const QString &uploadId, qint64 offset);
    void onFileProgress(const QString &uploadId, qint64 offset);
    void onFileDone(const QString &uploadId, const QString &fileId, qint64 seq);
    void onFileEnded(const QString &fileId, qint64 size);
    void onFileError(const QString &code, const QString &message, const QString &uploadId,
                     const QString &fileId, qint64 offset, qint64 retryAfterMs);
    void onBinary(const QByteArray &frame);
    void pump();
    int startedDownloads() const;
    void startQueuedDownloads();
    void schedulePump();
    void rewind(Upload &upload, qint64 offset);
    void failUpload(const QString &uploadId, const QString &code, const QString &message);
    void failDownload(const QString &fileId, const QString &code, const QString &message);

    ChatClient *m_client;
    QHash<QString, Upload *> m_uploads;
    QHash<QString, Download *> m_downloads;
    qint64 m_window = 1024 * 1024;
    QStringList m_downloadQueue;
    int m_maxDownloads = DefaultMaxDownloads;
    bool m_pumpQueued = false;
};
