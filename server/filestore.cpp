#include "server/filestore.h"

#include "common/filechunk.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QUuid>

Q_LOGGING_CATEGORY(lcFiles, "confab.files")

FileStore::FileStore() = default;

FileStore::~FileStore()
{
    for (Upload *u : std::as_const(m_uploads))
        delete u;
}

bool FileStore::open(const QString &dataDir, qint64 maxFileSize, qint64 maxStorage,
                     qint64 partialMaxAgeSecs)
{
    m_maxFileSize = maxFileSize;
    m_maxStorage = maxStorage;
    m_dir = QDir(dataDir).absoluteFilePath(QStringLiteral("files"));
    if (!QDir().mkpath(m_dir + QStringLiteral("/partial"))) {
        m_error = QStringLiteral("cannot create %1/partial").arg(m_dir);
        return false;
    }
    m_used = 0;
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addSecs(-partialMaxAgeSecs);
    int removed = 0;
    for (const QFileInfo &info : QDir(m_dir + QStringLiteral("/partial")).entryInfoList(QDir::Files)) {
        const qint64 size = info.size();
        if (info.lastModified().toUTC() < cutoff && QFile::remove(info.absoluteFilePath())) {
            ++removed;
            continue;
        }
        m_used += size;
    }
    for (const QFileInfo &info : QDir(m_dir).entryInfoList(QDir::Files))
        m_used += info.size();
    if (removed > 0)
        qCInfo(lcFiles) << "removed" << removed << "unfinished uploads older than"
                        << partialMaxAgeSecs << "s";
    return true;
}

QString FileStore::partialPath(const QString &key) const
{
    return m_dir + QStringLiteral("/partial/") + key;
}

FileStore::Begun FileStore::begin(const void *owner, const QString &memberKey,
                                  const QString &uploadId, qint64 size, const QString &sha256)
{
    Begun b;
    if (size > m_maxFileSize) {
        b.result = Result::TooBig;
        return b;
    }
    const QByteArray expected = sha256.toLatin1().toLower();
    QCryptographicHash keyHash(QCryptographicHash::Sha256);
    keyHash.addData(memberKey.toUtf8());
    keyHash.addData(QByteArrayView("\0", 1));
    keyHash.addData(uploadId.toUtf8());
    keyHash.addData(QByteArrayView("\0", 1));
    keyHash.addData(QByteArray::number(size));
    keyHash.addData(QByteArrayView("\0", 1));
    keyHash.addData(expected);
    b.key = QString::fromLatin1(keyHash.result().toHex());

    if (Upload *active = m_uploads.value(b.key)) {
        // The same member again (a new connection): it carries on where the bytes end.
        if (!active->owner) {
            // Parked: its remaining bytes are promised again.
            if (m_used + m_reserved + (active->size - active->held) > m_maxStorage) {
                b.result = Result::StorageFull;
                return b;
            }
            m_reserved += active->size - active->held;
            m_parked.removeOne(b.key);
        }
        active->owner = owner;
        b.result = Result::Ok;
        b.offset = active->held;
        return b;
    }
    const QString path = partialPath(b.key);
    qint64 held = QFileInfo(path).size();
    if (held > size) { // cannot be ours: start again
        QFile::remove(path);
        m_used -= held;
        held = 0;
    }
    if (m_used + m_reserved + (size - held) > m_maxStorage) {
        b.result = Result::StorageFull;
        return b;
    }
    auto upload = std::make_unique<Upload>();
    upload->owner = owner;
    upload->size = size;
    upload->held = held;
    upload->sha256 = expected;
    upload->file = std::make_unique<QFile>(path);
    if (!upload->file->open(QIODevice::ReadWrite)) {
        m_error = upload->file->errorString();
        return b;
    }
    // A resumed partial: its bytes go into the hash once, then new ones as they come.
    if (held > 0 && !upload->hash.addData(upload->file.get())) {
        m_error = upload->file->errorString();
        return b;
    }
    m_rehashed += held;
    upload->file->seek(held);
    m_reserved += size - held;
    Upload *raw = upload.release();
    m_uploads.insert(b.key, raw);
    b.result = Result::Ok;
    b.offset = held;
    if (raw->held == raw->size) {
        // Nothing left to send (an empty file, or every byte already there).
        b.offset = raw->held;
    }
    return b;
}

FileStore::Appended FileStore::append(const void *owner, const QString &key, qint64 offset,
                                      QByteArrayView data)
{
    Appended a;
    Upload *u = m_uploads.value(key);
    if (!u || u->owner != owner) {
        a.result = Result::NotFound;
        return a;
    }
    a.offset = u->held;
    if (offset != u->held || u->held + data.size() > u->size) {
        a.result = Result::BadOffset;
        return a;
    }
    if (!data.isEmpty()) {
        if (u->file->write(data.data(), data.size()) != data.size()) {
            m_error = u->file->errorString();
            a.result = Result::Failed;
            return a;
        }
        u->hash.addData(data);
        u->held += data.size();
        m_used += data.size();
        m_reserved -= data.size();
    }
    a.offset = u->held;
    if (u->held == u->size)
        return finish(key, *u);
    a.result = Result::Ok;
    return a;
}

FileStore::Appended FileStore::finish(const QString &key, Upload &u)
{
    Appended a;
    a.offset = u.held;
    if (u.hash.result().toHex() != u.sha256) {
        drop(key, Partial::Remove);
        a.result = Result::Corrupt;
        return a;
    }
    u.file->close();
    const QString fileId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (!QFile::rename(partialPath(key), m_dir + QLatin1Char('/') + fileId)) {
        m_error = QStringLiteral("cannot move an upload into %1").arg(m_dir);
        drop(key, Partial::Remove);
        a.result = Result::Failed;
        return a;
    }
    m_uploads.remove(key);
    delete &u;
    a.result = Result::Ok;
    a.complete = true;
    a.fileId = fileId;
    return a;
}

void FileStore::drop(const QString &key, Partial partial)
{
    Upload *u = m_uploads.take(key);
    if (!u)
        return;
    if (u->owner)
        m_reserved -= u->size - u->held;
    else
        m_parked.removeOne(key);
    u->file->close();
    if (partial == Partial::Remove && QFile::remove(partialPath(key)))
        m_used -= u->held;
    delete u;
}

void FileStore::release(const void *owner, const QString &key, Partial partial)
{
    Upload *u = m_uploads.value(key);
    if (!u || !owner || u->owner != owner)
        return;
    if (partial == Partial::Remove) {
        drop(key, partial);
        return;
    }
    // Parked: nobody may append until the member announces it again; what it still needs
    // is no longer promised.
    m_reserved -= u->size - u->held;
    u->owner = nullptr;
    u->file->flush();
    m_parked.append(key);
    while (m_parked.size() > MaxParked)
        drop(m_parked.first(), Partial::Keep);
}

QString FileStore::filePath(const QString &fileId) const
{
    // A fileId is a UUID the server made; anything else cannot name a file here.
    if (!Confab::FileChunk::isValidId(fileId))
        return {};
    const QString path = m_dir + QLatin1Char('/') + fileId;
    return QFileInfo(path).isFile() ? path : QString();
}

qint64 FileStore::fileSize(const QString &fileId) const
{
    const QString path = filePath(fileId);
    return path.isEmpty() ? -1 : QFileInfo(path).size();
}

void FileStore::removeFile(const QString &fileId)
{
    const QString path = filePath(fileId);
    const qint64 size = path.isEmpty() ? 0 : QFileInfo(path).size();
    if (!path.isEmpty() && QFile::remove(path))
        m_used -= size;
}

int FileStore::removeUnreferenced(const QSet<QString> &fileIds)
{
    int removed = 0;
    for (const QFileInfo &info : QDir(m_dir).entryInfoList(QDir::Files)) {
        const qint64 size = info.size();
        if (!fileIds.contains(info.fileName()) && QFile::remove(info.absoluteFilePath())) {
            m_used -= size;
            ++removed;
        }
    }
    return removed;
}
