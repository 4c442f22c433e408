#include "app/ui/filesharing.h"

#include "app/core/chatclient.h"
#include "app/core/filetransfer.h"
#include "app/ui/settings.h"
#include "common/messagemodel.h"

#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QTemporaryDir>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Confab::Protocol;

namespace {
// Previews fetched at once: enough to fill a screen quickly, few enough that chat and the
// user's own transfers are not stuck behind a page of pictures.
constexpr int MaxPreviewFetches = 2;
// What QImageReader may allocate for one picture (RGBA): 8,000 × 8,000 pixels.
constexpr int ImageAllocationLimitMiB = 256;

// The image at `path` scaled to fit `box` (never up), read at that size: a big photo is
// never held whole. Null when it is not a picture, or one bigger than the limit.
QImage readScaled(const QString &path, QSize box)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    reader.setAllocationLimit(ImageAllocationLimitMiB);
    const QSize size = reader.size();
    if (size.isValid() && (size.width() > box.width() || size.height() > box.height()))
        reader.setScaledSize(size.scaled(box, Qt::KeepAspectRatio));
    return reader.read();
}

} // namespace

struct FileSharing::Row
{
    QWidget *widget = nullptr;
    QLabel *label = nullptr;
    QProgressBar *bar = nullptr;
};

FileSharing::FileSharing(ChatClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_transfer(new FileTransfer(client, this))
    , m_panel(new QWidget)
    , m_panelLayout(new QVBoxLayout(m_panel))
    , m_downloadDir(Settings::defaultDownloadDirectory())
    , m_cacheDir(std::make_unique<QTemporaryDir>())
{
    m_panel->setObjectName(QStringLiteral("transfers"));
    m_panelLayout->setContentsMargins(4, 0, 4, 0);
    m_panelLayout->setSpacing(2);
    m_panel->setVisible(false);

    m_askOverwrite = [this](const QString &path) {
        QMessageBox box(QMessageBox::Question, tr("Confab"),
                        tr("\"%1\" is already in %2. Replace it?")
                            .arg(QFileInfo(path).fileName(),
                                 QDir::toNativeSeparators(QFileInfo(path).absolutePath())),
                        QMessageBox::NoButton, m_panel->window());
        QPushButton *replace = box.addButton(tr("&Replace"), QMessageBox::DestructiveRole);
        QPushButton *keep = box.addButton(tr("&Keep both"), QMessageBox::AcceptRole);
        box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(keep);
        box.exec();
        if (box.clickedButton() == replace)
            return Overwrite::Replace;
        if (box.clickedButton() == keep)
            return Overwrite::KeepBoth;
        return Overwrite::Cancel;
    };

    connect(m_transfer, &FileTransfer::uploadProgress, this,
            [this](const QString &id, qint64 sent, qint64 total) { setRowProgress(id, sent, total); });
    connect(m_transfer, &FileTransfer::downloadProgress, this,
            [this](const QString &id, qint64 received, qint64 total) {
                setRowProgress(id, received, total);
            });
    connect(m_transfer, &FileTransfer::uploadFinished, this, [this](const QString &uploadId) {
        removeRow(uploadId);
        m_uploadNames.remove(uploadId);
        if (const QString pasted = m_pastedFiles.take(uploadId); !pasted.isEmpty())
            QFile::remove(pasted);
    });
    connect(m_transfer, &FileTransfer::downloadFinished, this, &FileSharing::onDownloadFinished);
    connect(m_transfer, &FileTransfer::failed, this, &FileSharing::onFailed);
    connect(this, &FileSharing::saved, this, &FileSharing::onSaved);
}

FileSharing::~FileSharing()
{
    if (m_imageWindow)
        delete m_imageWindow.data();
    // The panel belongs to the window's layout once placed; if it was never placed, it is ours.
    if (!m_panel->parent())
        delete m_panel;
}

QString FileSharing::sendFile(const QString &path, const QString &to)
{
    const QString uploadId = m_transfer->upload(path, to);
    if (uploadId.isEmpty())
        return {};
    const QString name = QFileInfo(path).fileName();
    m_uploadNames.insert(uploadId, name);
    addRow(uploadId, tr("Sending %1").arg(name), QFileInfo(path).size());
    return uploadId;
}

QString FileSharing::sendImage(const QImage &image, const QString &to)
{
    if (image.isNull() || !m_cacheDir->isValid())
        return {};
    // A folder per paste: the name the others see is the file's own.
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH.mm.ss"));
    QDir dir(m_cacheDir->path());
    const QString sub = QStringLiteral("pasted-%1").arg(QDateTime::currentMSecsSinceEpoch());
    if (!dir.mkpath(sub)) {
        report(tr("Could not keep the pasted image for sending."));
        return {};
    }
    const QString path = QDir(dir.filePath(sub)).filePath(tr("Pasted image %1.png").arg(stamp));
    if (!image.save(path, "PNG")) {
        report(tr("Could not keep the pasted image for sending."));
        return {};
    }
    const QString uploadId = sendFile(path, to);
    if (uploadId.isEmpty())
        QFile::remove(path);
    else
        m_pastedFiles.insert(uploadId, path);
    return uploadId;
}

bool FileSharing::isImage(const QVariantMap &file)
{
    static const QStringList types = [] {
        QStringList names;
        for (const QByteArray &type : QImageReader::supportedMimeTypes())
            names.append(QString::fromLatin1(type));
        // Drawings can carry scripts and external references: shown as files, not pictures.
        names.removeAll(QStringLiteral("image/svg+xml"));
        names.removeAll(QStringLiteral("image/svg+xml-compressed"));
        return names;
    }();
    const qint64 size = file.value(QStringLiteral("size")).toLongLong();
    return size > 0 && size <= MaxPreviewBytes
        && types.contains(file.value(QStringLiteral("mime")).toString().toLower());
}

FileInfo FileSharing::fileInfo(const QVariantMap &file)
{
    return FileInfo { file.value(QStringLiteral("id")).toString(),
                      file.value(QStringLiteral("name")).toString(),
                      file.value(QStringLiteral("size")).toLongLong(),
                      file.value(QStringLiteral("mime")).toString(),
                      file.value(QStringLiteral("sha256")).toString() };
}

QString FileSharing::cacheDirectory(const QString &fileId) const
{
    // File ids are checked to be plain ASCII ids before anything is fetched (FileTransfer).
    return QDir(m_cacheDir->path()).filePath(QStringLiteral("file-") + fileId);
}

QImage FileSharing::thumbnail(const QVariantMap &file)
{
    const QString id = file.value(QStringLiteral("id")).toString();
    if (id.isEmpty())
        return {};
    if (const auto it = m_thumbnails.constFind(id); it != m_thumbnails.cend())
        return *it;
    if (!m_previewFailed.contains(id) && isImage(file))
        queuePreview(fileInfo(file));
    return {};
}

void FileSharing::queuePreview(const FileInfo &file)
{
    if (m_previewPutOff.contains(file.id) || m_fetching.contains(file.id))
        return;
    for (const FileInfo &queued : std::as_const(m_previewQueue)) {
        if (queued.id == file.id)
            return;
    }
    m_previewQueue.append(file);
    // After the paint that asked: several rows ask at once, and the newest should go first.
    QMetaObject::invokeMethod(this, &FileSharing::fetchNextPreview, Qt::QueuedConnection);
}

void FileSharing::fetchNextPreview()
{
    while (m_fetching.size() < MaxPreviewFetches && !m_previewQueue.isEmpty()) {
        const FileInfo file = m_previewQueue.takeLast();
        if (m_transfer->isActive(file.id)) {
            // Being saved (one download of a file at a time): fetched after that.
            m_previewPutOff.insert(file.id);
            continue;
        }
        const QString dir = cacheDirectory(file.id);
        if (!m_cacheDir->isValid() || !QDir().mkpath(dir)) {
            m_previewFailed.insert(file.id);
            continue;
        }
        m_fetching.insert(file.id, file);
        m_fileNames.insert(file.id, file.name);
        if (m_transfer->download(file, dir).isEmpty())
            m_fetching.remove(file.id);
    }
}

void FileSharing::onDownloadFinished(const QString &fileId, const QString &path)
{
    if (m_fetching.remove(fileId)) {
        m_cached.insert(fileId, path);
        const QImage image = readScaled(path, QSize(ThumbnailWidth, ThumbnailHeight));
        if (image.isNull())
            m_previewFailed.insert(fileId);
        else
            m_thumbnails.insert(fileId, image);
        Q_EMIT thumbnailReady(fileId);
        for (const Save &save : m_savesAfterFetch.take(fileId))
            finishSave(fileId, path, save, true);
        removeRow(fileId);
        if (m_openWhenFetched == fileId) {
            m_openWhenFetched.clear();
            showImage(fileId);
        }
        fetchNextPreview();
        return;
    }
    if (m_saves.contains(fileId)) {
        removeRow(fileId);
        finishSave(fileId, path, m_saves.take(fileId), false);
    }
}

void FileSharing::onSaved(const QString &fileId, const QString &path)
{
    // A preview put off while the file was being saved can be fetched now. (Never from the
    // saved file: that is the user's, and may have changed since.)
    Q_UNUSED(path);
    if (m_previewPutOff.remove(fileId))
        Q_EMIT thumbnailReady(fileId);
}

void FileSharing::onFailed(const QString &id, const QString &code, const QString &message)
{
    Q_UNUSED(code);
    removeRow(id);
    if (m_uploadNames.contains(id)) {
        report(tr("Could not send %1: %2").arg(m_uploadNames.take(id), message));
        if (const QString pasted = m_pastedFiles.take(id); !pasted.isEmpty())
            QFile::remove(pasted);
        return;
    }
    const QString name = m_fileNames.value(id, id);
    if (m_fetching.remove(id)) {
        m_previewFailed.insert(id);
        Q_EMIT thumbnailReady(id);
        if (m_savesAfterFetch.remove(id) || m_openWhenFetched == id) {
            m_openWhenFetched.clear();
            report(tr("Could not download %1: %2").arg(name, message));
        }
        fetchNextPreview();
        return;
    }
    if (m_saves.remove(id)) {
        report(tr("Could not download %1: %2").arg(name, message));
        if (m_previewPutOff.remove(id))
            Q_EMIT thumbnailReady(id);
    }
}

bool FileSharing::save(const FileInfo &file)
{
    return startSave(file,
                     QDir(downloadDirectory()).filePath(FileTransfer::safeFileName(file.name)),
                     false);
}

bool FileSharing::saveAs(const FileInfo &file, const QString &path)
{
    return startSave(file, path, true);
}

bool FileSharing::startSave(const FileInfo &file, const QString &target, bool replace)
{
    if (m_saves.contains(file.id))
        return false; // already on its way to a folder
    const QFileInfo info(target);
    if (!replace && (info.exists() || info.isSymLink())) {
        switch (m_askOverwrite(target)) {
        case Overwrite::Cancel:
            return false;
        case Overwrite::Replace:
            replace = true;
            break;
        case Overwrite::KeepBoth:
            break;
        }
    }
    const Save save { target, replace };
    m_fileNames.insert(file.id, file.name);
    if (const QString cached = m_cached.value(file.id); !cached.isEmpty() && QFile::exists(cached)) {
        finishSave(file.id, cached, save, true);
        return true;
    }
    if (m_fetching.contains(file.id)) {
        m_savesAfterFetch[file.id].append(save);
        addRow(file.id, tr("Downloading %1").arg(file.name), file.size);
        return true;
    }
    QDir().mkpath(info.absolutePath());
    if (m_transfer->download(file, info.absolutePath()).isEmpty())
        return false; // failed() said why
    m_saves.insert(file.id, save);
    addRow(file.id, tr("Downloading %1").arg(file.name), file.size);
    return true;
}

// `from` is a verified file: a download FileTransfer finished in the target's folder (under
// a free name), or the preview cache (copy). It becomes `save.target`, replacing what is
// there only when the user said so; otherwise, when the target was taken meanwhile, the
// free name FileTransfer chose (or the next free one) is kept.
void FileSharing::finishSave(const QString &fileId, const QString &from, const Save &save, bool copy)
{
    const QString name = m_fileNames.value(fileId);
    QString source = from;
    const QString folder = QFileInfo(save.target).absolutePath();
    if (copy) {
        const QString free = FileTransfer::uniquePath(folder, QStringLiteral(".confab-copy.part"));
        if (!QFile::copy(from, free)) {
            report(tr("Could not save %1 in %2.").arg(name, QDir::toNativeSeparators(folder)));
            return;
        }
        source = free;
    }
    QString final = source;
    if (QFileInfo(source).absoluteFilePath() != QFileInfo(save.target).absoluteFilePath()) {
        if (save.replace)
            QFile::remove(save.target);
        if (QFile::rename(source, save.target)) {
            final = save.target;
        } else if (copy) {
            // Taken meanwhile and not to be replaced: the next free name.
            const QString free = FileTransfer::uniquePath(folder, QFileInfo(save.target).fileName());
            if (QFile::rename(source, free)) {
                final = free;
            } else {
                QFile::remove(source);
                report(tr("Could not save %1 in %2.").arg(name, QDir::toNativeSeparators(folder)));
                return;
            }
        }
    }
    Q_EMIT saved(fileId, final);
}

void FileSharing::openImage(const FileInfo &file)
{
    if (m_cached.contains(file.id)) {
        showImage(file.id);
        return;
    }
    m_openWhenFetched = file.id;
    m_fileNames.insert(file.id, file.name);
    m_previewFailed.remove(file.id);
    queuePreview(file);
}

void FileSharing::showImage(const QString &fileId)
{
    const QString path = m_cached.value(fileId);
    // Full size, but never more than fits the screen comfortably at first; the window
    // scrolls the rest and can be made bigger.
    QImageReader reader(path);
    reader.setAutoTransform(true);
    reader.setAllocationLimit(ImageAllocationLimitMiB);
    const QImage image = reader.read();
    if (image.isNull()) {
        report(tr("%1 cannot be shown as a picture.").arg(m_fileNames.value(fileId)));
        return;
    }
    if (m_imageWindow)
        delete m_imageWindow.data();
    auto *dialog = new QDialog(m_panel->window());
    dialog->setObjectName(QStringLiteral("imageWindow"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(m_fileNames.value(fileId));
    auto *layout = new QVBoxLayout(dialog);
    auto *scroll = new QScrollArea;
    auto *label = new QLabel;
    label->setObjectName(QStringLiteral("fullImage"));
    label->setPixmap(QPixmap::fromImage(image));
    scroll->setWidget(label);
    scroll->setAlignment(Qt::AlignCenter);
    layout->addWidget(scroll, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton *saveButton = buttons->addButton(tr("&Save"), QDialogButtonBox::ActionRole);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    const QString name = m_fileNames.value(fileId);
    connect(saveButton, &QPushButton::clicked, this, [this, fileId, name] {
        FileInfo file;
        file.id = fileId;
        file.name = name;
        save(file);
    });
    QSize size = image.size() + QSize(40, 80);
    if (const QScreen *screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableSize() * 0.9);
    dialog->resize(size.expandedTo(QSize(240, 160)));
    m_imageWindow = dialog;
    dialog->show();
}

void FileSharing::addRow(const QString &id, const QString &text, qint64 total)
{
    if (m_rows.contains(id))
        return;
    auto *row = new Row;
    row->widget = new QWidget;
    row->widget->setObjectName(QStringLiteral("transfer:") + id);
    auto *layout = new QHBoxLayout(row->widget);
    layout->setContentsMargins(4, 0, 0, 0);
    row->label = new QLabel(text);
    row->label->setTextFormat(Qt::PlainText);
    row->label->setMinimumWidth(80);
    row->bar = new QProgressBar;
    row->bar->setRange(0, 1000);
    row->bar->setValue(0);
    row->bar->setFormat(QLocale().formattedDataSize(0) + QStringLiteral(" / ")
                        + QLocale().formattedDataSize(total));
    auto *cancel = new QToolButton;
    cancel->setObjectName(QStringLiteral("cancelTransfer"));
    cancel->setText(tr("Cancel"));
    cancel->setAutoRaise(true);
    layout->addWidget(row->label, 1);
    layout->addWidget(row->bar, 2);
    layout->addWidget(cancel);
    connect(cancel, &QToolButton::clicked, this, [this, id] {
        m_transfer->cancel(id);
        removeRow(id);
        m_uploadNames.remove(id);
        m_saves.remove(id);
        m_savesAfterFetch.remove(id);
        if (m_previewPutOff.remove(id))
            Q_EMIT thumbnailReady(id);
        if (m_fetching.remove(id))
            fetchNextPreview();
        if (const QString pasted = m_pastedFiles.take(id); !pasted.isEmpty())
            QFile::remove(pasted);
    });
    m_panelLayout->addWidget(row->widget);
    m_rows.insert(id, row);
    m_panel->setVisible(true);
}

void FileSharing::setRowProgress(const QString &id, qint64 done, qint64 total)
{
    Row *row = m_rows.value(id);
    if (!row)
        return;
    row->bar->setValue(total > 0 ? int(done * 1000 / total) : 1000);
    row->bar->setFormat(QLocale().formattedDataSize(done) + QStringLiteral(" / ")
                        + QLocale().formattedDataSize(total));
}

void FileSharing::removeRow(const QString &id)
{
    Row *row = m_rows.take(id);
    if (!row)
        return;
    row->widget->deleteLater();
    delete row;
    m_panel->setVisible(!m_rows.isEmpty());
}

QStringList FileSharing::panelIds() const
{
    return m_rows.keys();
}

void FileSharing::report(const QString &text)
{
    m_client->messages()->addEvent(MessageModel::Kind::Info, text, QDateTime::currentDateTime());
    Q_EMIT problem(text);
}
