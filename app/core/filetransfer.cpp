#include "app/core/filetransfer.h"

#include "app/core/chatclient.h"
#include "common/filechunk.h"
#include "common/limits.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMimeDatabase>
#include <QTemporaryFile>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

using namespace Confab::Protocol;
namespace Chunk = Confab::FileChunk;

namespace {
// What may wait in the socket before the next chunk is read from disk.
constexpr qint64 MaxQueuedBytes = 512 * 1024;
// File systems count names in bytes (ext4: 255); leave room for " (12)".
constexpr int MaxNameBytes = 240;
} // namespace

FileTransfer::FileTransfer(ChatClient *client, QObject *parent) : QObject(parent), m_client(client)
{
    connect(client, &ChatClient::joined, this, &FileTransfer::onJoined);
    connect(client, &ChatClient::stateChanged, this, [this](ChatClient::State state) {
        if (state == ChatClient::State::Joined)
            return;
        // Whatever was in flight on the old connection is gone; the server says after the
        // next join how much it holds.
        for (Upload *u : std::as_const(m_uploads))
            u->ready = false;
    });
    connect(client, &ChatClient::fileReady, this, &FileTransfer::onFileReady);
    connect(client, &ChatClient::fileProgress, this, &FileTransfer::onFileProgress);
    connect(client, &ChatClient::fileDone, this, &FileTransfer::onFileDone);
    connect(client, &ChatClient::fileEnded, this, &FileTransfer::onFileEnded);
    connect(client, &ChatClient::fileErrorReceived, this, &FileTransfer::onFileError);
    connect(client, &ChatClient::binaryReceived, this, &FileTransfer::onBinary);
    connect(client, &ChatClient::bytesWritten, this, [this] {
        if (!m_uploads.isEmpty())
            pump();
    });
}

FileTransfer::~FileTransfer()
{
    qDeleteAll(m_uploads);
    qDeleteAll(m_downloads);
}

QString FileTransfer::upload(const QString &path, const QString &to)
{
    auto u = std::make_unique<Upload>();
    u->file = std::make_unique<QFile>(path);
    const QString uploadId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (!QFileInfo(path).isFile() || !u->file->open(QIODevice::ReadOnly)) {
        Q_EMIT failed(uploadId, QStringLiteral("read-failed"),
                      tr("Cannot read %1: %2").arg(path, u->file->errorString()));
        return {};
    }
    u->start.uploadId = uploadId;
    u->start.name = Chunk::displayName(QFileInfo(path).fileName());
    u->start.size = u->file->size();
    u->start.mime = QMimeDatabase().mimeTypeForFile(path).name();
    u->start.to = to;
    // The worker reads the file through a QFile of its own; the one here is for sending.
    u->hashing = std::make_unique<QFutureWatcher<QString>>();
    connect(u->hashing.get(), &QFutureWatcher<QString>::finished, this, [this, uploadId] {
        Upload *u = m_uploads.value(uploadId);
        if (u && u->hashing)
            onHashed(uploadId, u->hashing->result());
    });
    u->hashing->setFuture(QtConcurrent::run([path, stop = u->stopHashing]() -> QString {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        QCryptographicHash hash(QCryptographicHash::Sha256);
        QByteArray buffer(1024 * 1024, Qt::Uninitialized);
        for (;;) {
            if (*stop)
                return {};
            const qint64 n = file.read(buffer.data(), buffer.size());
            if (n < 0)
                return {};
            if (n == 0)
                break;
            hash.addData(QByteArrayView(buffer.constData(), n));
        }
        return QString::fromLatin1(hash.result().toHex());
    }));
    m_uploads.insert(uploadId, u.release());
    return uploadId;
}

FileTransfer::Upload::~Upload()
{
    *stopHashing = true; // the worker ends soon; its result goes nowhere
}

bool FileTransfer::isHashing(const QString &uploadId) const
{
    const Upload *u = m_uploads.value(uploadId);
    return u && u->start.sha256.isEmpty();
}

void FileTransfer::onHashed(const QString &uploadId, const QString &sha256)
{
    Upload *u = m_uploads.value(uploadId);
    if (!u)
        return;
    u->hashing.reset();
    if (sha256.isEmpty()) {
        failUpload(uploadId, QStringLiteral("read-failed"),
                   tr("Cannot read %1: %2").arg(u->start.name, u->file->errorString()));
        return;
    }
    // A file that changed while it was read would arrive corrupt: the room checks the
    // hash against the bytes sent, and says so.
    u->start.sha256 = sha256;
    m_client->sendRequest(u->start); // when not joined, onJoined() announces it
}

QString FileTransfer::download(const FileInfo &file, const QString &destinationDir)
{
    if (!Chunk::isValidId(file.id)) {
        Q_EMIT failed(file.id, QStringLiteral("bad-message"), tr("That is not a file id."));
        return {};
    }
    if (m_downloads.contains(file.id))
        return file.id;
    auto d = std::make_unique<Download>();
    d->file = file;
    d->directory = destinationDir;
    // Hidden while it is incomplete; its final name is chosen only once it is verified.
    d->temp = std::make_unique<QTemporaryFile>(QDir(destinationDir).filePath(
        QStringLiteral(".confab-XXXXXX.part")));
    if (!d->temp->open()) {
        Q_EMIT failed(file.id, QStringLiteral("write-failed"),
                      tr("Cannot write in %1: %2").arg(destinationDir, d->temp->errorString()));
        return {};
    }
    m_downloads.insert(file.id, d.release());
    m_downloadQueue.append(file.id);
    startQueuedDownloads();
    return file.id;
}

int FileTransfer::startedDownloads() const
{
    return int(std::count_if(m_downloads.cbegin(), m_downloads.cend(),
                             [](const Download *d) { return d->started; }));
}

void FileTransfer::startQueuedDownloads()
{
    int started = startedDownloads();
    while (started < m_maxDownloads && !m_downloadQueue.isEmpty()) {
        Download *d = m_downloads.value(m_downloadQueue.takeFirst());
        if (!d || d->started)
            continue;
        d->started = true;
        ++started;
        m_client->sendRequest(FileGet { d->file.id, d->received });
    }
}

void FileTransfer::cancel(const QString &id)
{
    if (Upload *u = m_uploads.take(id)) {
        m_client->sendRequest(FileCancel { {}, id });
        delete u;
    }
    if (Download *d = m_downloads.take(id)) {
        if (d->started)
            m_client->sendRequest(FileCancel { id, {} });
        m_downloadQueue.removeAll(id);
        delete d; // the temporary file goes with it
        startQueuedDownloads();
    }
}

bool FileTransfer::isActive(const QString &id) const
{
    return m_uploads.contains(id) || m_downloads.contains(id);
}

void FileTransfer::onJoined()
{
    for (Upload *u : std::as_const(m_uploads)) {
        u->ready = false;
        u->paused = false;
        if (!u->start.sha256.isEmpty())
            m_client->sendRequest(u->start);
    }
    for (Download *d : std::as_const(m_downloads)) {
        if (d->started)
            m_client->sendRequest(FileGet { d->file.id, d->received });
    }
}

void FileTransfer::rewind(Upload &u, qint64 offset)
{
    u.sent = qBound(qint64(0), offset, u.start.size);
    u.acked = u.sent;
    u.file->seek(u.sent);
}

void FileTransfer::onFileReady(const QString &uploadId, qint64 offset)
{
    Upload *u = m_uploads.value(uploadId);
    if (!u)
        return;
    u->ready = true;
    rewind(*u, offset);
    Q_EMIT uploadProgress(uploadId, u->acked, u->start.size);
    pump();
}

void FileTransfer::onFileProgress(const QString &uploadId, qint64 offset)
{
    Upload *u = m_uploads.value(uploadId);
    if (!u || offset <= u->acked)
        return;
    u->acked = qMin(offset, u->sent);
    Q_EMIT uploadProgress(uploadId, u->acked, u->start.size);
    pump();
}

void FileTransfer::onFileDone(const QString &uploadId, const QString &fileId, qint64 seq)
{
    Upload *u = m_uploads.take(uploadId);
    if (!u)
        return;
    delete u;
    Q_EMIT uploadFinished(uploadId, fileId, seq);
}

void FileTransfer::schedulePump()
{
    if (m_pumpQueued)
        return;
    m_pumpQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpQueued = false;
            pump();
        },
        Qt::QueuedConnection);
}

void FileTransfer::pump()
{
    QByteArray buffer(Confab::Limits::MaxChunkBytes, Qt::Uninitialized);
    // A bounded window per upload (the server acks every 256 KiB) and a bounded socket
    // queue: the upload never floods the connection its chat shares.
    const QList<QString> ids = m_uploads.keys();
    for (const QString &id : ids) {
        Upload *u = m_uploads.value(id);
        while (u && u->ready && !u->paused && u->sent < u->start.size
               && u->sent - u->acked < m_window && m_client->bytesToWrite() < MaxQueuedBytes) {
            const qint64 n = u->file->read(buffer.data(),
                                           qMin<qint64>(buffer.size(), u->start.size - u->sent));
            if (n <= 0) {
                failUpload(id, QStringLiteral("read-failed"),
                           tr("Cannot read the file any more: %1").arg(u->file->errorString()));
                break;
            }
            if (!m_client->sendBinary(Chunk::encode(Chunk::Kind::Upload, u->sent, id,
                                                    QByteArrayView(buffer.constData(), n)))) {
                u->file->seek(u->sent);
                break;
            }
            u->sent += n;
        }
    }
}

void FileTransfer::onFileError(const QString &code, const QString &message, const QString &uploadId,
                               const QString &fileId, qint64 offset, qint64 retryAfterMs)
{
    if (Upload *u = m_uploads.value(uploadId)) {
        if (code == QLatin1String(ErrorCode::BadOffset) && offset >= 0) {
            rewind(*u, offset);
            schedulePump();
            return;
        }
        if (code == QLatin1String(ErrorCode::RateLimited)) {
            u->paused = true;
            if (offset >= 0)
                rewind(*u, offset);
            QTimer::singleShot(int(qBound(qint64(10), retryAfterMs, qint64(30000))), this,
                               [this, uploadId] {
                                   if (Upload *u = m_uploads.value(uploadId)) {
                                       u->paused = false;
                                       pump();
                                   }
                               });
            return;
        }
        failUpload(uploadId, code, message);
        return;
    }
    if (Download *d = m_downloads.value(fileId)) {
        // The room takes fewer at once than this client asks for: wait for one to end.
        if (code == QLatin1String(ErrorCode::TooManyDownloads) && startedDownloads() > 1) {
            d->started = false;
            m_downloadQueue.prepend(fileId);
            return;
        }
        failDownload(fileId, code, message);
    }
}

void FileTransfer::failUpload(const QString &uploadId, const QString &code, const QString &message)
{
    delete m_uploads.take(uploadId);
    Q_EMIT failed(uploadId, code, message);
}

void FileTransfer::failDownload(const QString &fileId, const QString &code, const QString &message)
{
    delete m_downloads.take(fileId); // removes the partial
    m_downloadQueue.removeAll(fileId);
    Q_EMIT failed(fileId, code, message);
    startQueuedDownloads();
}

void FileTransfer::onBinary(const QByteArray &frame)
{
    const auto chunk = Chunk::decode(frame);
    if (!chunk || chunk->kind != Chunk::Kind::Download)
        return;
    Download *d = m_downloads.value(chunk->id);
    // Chunks from before a resume request can only repeat what is held: skip them.
    if (!d || !d->started || chunk->offset != d->received)
        return;
    if (d->received + chunk->data.size() > d->file.size) {
        failDownload(chunk->id, QStringLiteral("file-corrupt"),
                     tr("The room sent more bytes than the file has."));
        return;
    }
    if (d->temp->write(chunk->data) != chunk->data.size()) {
        failDownload(chunk->id, QStringLiteral("write-failed"),
                     tr("Cannot write the file: %1").arg(d->temp->errorString()));
        return;
    }
    d->hash.addData(chunk->data);
    d->received += chunk->data.size();
    Q_EMIT downloadProgress(chunk->id, d->received, d->file.size);
}

void FileTransfer::onFileEnded(const QString &fileId, qint64 size)
{
    Download *d = m_downloads.value(fileId);
    if (!d)
        return;
    if (d->received != d->file.size || size != d->file.size
        || QString::fromLatin1(d->hash.result().toHex()) != d->file.sha256.toLower()) {
        failDownload(fileId, QString::fromLatin1(ErrorCode::FileCorrupt),
                     tr("The file did not arrive as it was shared (its SHA-256 does not match); "
                        "it was not saved."));
        return;
    }
    if (!d->temp->flush()) {
        failDownload(fileId, QStringLiteral("write-failed"), d->temp->errorString());
        return;
    }
    d->temp->close();
    // QFile::rename never replaces an existing file; if one appears between the check and
    // the rename, the next number is tried.
    QString path;
    for (int attempt = 0; attempt < 100; ++attempt) {
        const QString candidate =
            uniquePath(d->directory, safeFileName(d->file.name));
        if (QFile::rename(d->temp->fileName(), candidate)) {
            path = candidate;
            break;
        }
        if (!QFileInfo::exists(candidate))
            break; // failed for another reason
    }
    if (path.isEmpty()) {
        failDownload(fileId, QStringLiteral("write-failed"),
                     tr("Cannot save the file in %1.").arg(d->directory));
        return;
    }
    d->temp->setAutoRemove(false);
    delete m_downloads.take(fileId);
    Q_EMIT downloadFinished(fileId, path);
    startQueuedDownloads();
}

QString FileTransfer::safeFileName(const QString &name)
{
    QString out = Confab::FileChunk::withoutUnsafeCharacters(name);
    // No hidden files and no "." or "..": leading dots go. Trailing dots and spaces too
    // (Windows drops them, and "name." would then be "name").
    while (out.startsWith(QLatin1Char('.')))
        out.remove(0, 1);
    while (out.endsWith(QLatin1Char('.')) || out.endsWith(QLatin1Char(' ')))
        out.chop(1);
    out = out.trimmed();
    if (out.isEmpty())
        return QStringLiteral("file");
    if (out.toUtf8().size() > MaxNameBytes) {
        const qsizetype dot = out.lastIndexOf(QLatin1Char('.'));
        QString ext = dot > 0 && out.size() - dot <= 16 ? out.mid(dot) : QString();
        QString base = out.left(out.size() - ext.size());
        while (!base.isEmpty() && (base + ext).toUtf8().size() > MaxNameBytes) {
            base.chop(1);
            if (!base.isEmpty() && base.back().isHighSurrogate())
                base.chop(1);
        }
        out = base.isEmpty() ? QStringLiteral("file") + ext : base + ext;
    }
    return out;
}

QString FileTransfer::uniquePath(const QString &directory, const QString &name)
{
    const QDir dir(directory);
    const auto taken = [](const QString &path) {
        const QFileInfo info(path);
        return info.exists() || info.isSymLink(); // a dangling link is taken too
    };
    QString path = dir.filePath(name);
    if (!taken(path))
        return path;
    const qsizetype dot = name.lastIndexOf(QLatin1Char('.'));
    const QString base = dot > 0 ? name.left(dot) : name;
    const QString ext = dot > 0 ? name.mid(dot) : QString();
    for (int n = 1;; ++n) {
        path = dir.filePath(QStringLiteral("%1 (%2)%3").arg(base).arg(n).arg(ext));
        if (!taken(path))
            return path;
    }
}
