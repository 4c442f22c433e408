#pragma once

#include "common/protocol.h"

#include <QDialog>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QStringList>

#include <functional>
#include <memory>

class ChatClient;
class FileTransfer;
class QTemporaryDir;
class QVBoxLayout;
class QWidget;

// Files in the chat window: what the user shares (a file by path, or a pasted screenshot)
// and what they receive (saved to the Downloads folder, images shown as thumbnails that
// open full size). Wraps FileTransfer (the protocol) with what a desktop user expects:
//
//  - a panel of transfers under way, each with a progress bar and a Cancel button (hidden
//    while there is none); problems go into the conversation as an info line;
//  - saving under a safe name in the download directory, and asking before replacing a
//    file that is already there (Replace / Keep both / Cancel), never replacing silently;
//  - thumbnails fetched lazily, when a row with an image is painted, two at a time, into
//    a private temporary cache that goes when the program ends; the full image opens in a
//    window of its own, and saving an image already fetched copies it instead of fetching
//    it again.
//
// Images are decoded with QImageReader under an allocation limit, scaled to a thumbnail as
// they are read: a small file claiming to be a huge picture is refused, not decoded.
class FileSharing final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileSharing)

public:
    enum class Overwrite { Replace, KeepBoth, Cancel };
    // The largest image a thumbnail is fetched for, and the box a thumbnail fits in.
    static constexpr qint64 MaxPreviewBytes = 16 * 1024 * 1024;
    static constexpr int ThumbnailWidth = 320;
    static constexpr int ThumbnailHeight = 180;

    explicit FileSharing(ChatClient *client, QObject *parent = nullptr);
    ~FileSharing() override;

    FileTransfer *transfer() const { return m_transfer; }
    // The transfers under way; for the window to place (above the input).
    QWidget *panel() const { return m_panel; }

    // Shares a file (with `to`: privately). Returns the upload's id, or empty when the file
    // cannot be read (an info line says why).
    QString sendFile(const QString &path, const QString &to = {});
    // Shares a pasted picture as "Pasted image <date time>.png".
    QString sendImage(const QImage &image, const QString &to = {});

    // Where Save puts files: the user's Downloads folder unless set.
    QString downloadDirectory() const { return m_downloadSource ? m_downloadSource() : m_downloadDir; }
    void setDownloadDirectory(const QString &directory) { m_downloadDir = directory; }
    // Or where to read it each time (the settings).
    void setDownloadDirectorySource(std::function<QString()> source)
    {
        m_downloadSource = std::move(source);
    }
    // Asked when the file to save is already there; a message box unless replaced (tests).
    void setOverwriteQuestion(std::function<Overwrite(const QString &path)> question)
    {
        m_askOverwrite = std::move(question);
    }
    // Saves an attachment in the download directory under its safe name. False when the
    // user chose not to (or it is being saved already).
    bool save(const Confab::Protocol::FileInfo &file);
    // Saves it as `path` (a name the user picked in a save dialog, which asked about
    // replacing already).
    bool saveAs(const Confab::Protocol::FileInfo &file, const QString &path);

    // Whether an attachment is shown as an image (a type Qt can read, small enough).
    static bool isImage(const QVariantMap &file);
    static Confab::Protocol::FileInfo fileInfo(const QVariantMap &file);
    // The thumbnail when it is here; otherwise null, and it is fetched (thumbnailReady()).
    QImage thumbnail(const QVariantMap &file);
    bool previewFailed(const QString &fileId) const { return m_previewFailed.contains(fileId); }
    // Opens the full image in a window of its own (fetching it first when needed).
    void openImage(const Confab::Protocol::FileInfo &file);
    QDialog *imageWindow() const { return m_imageWindow; }
    // Where a fetched image is kept (empty until it is).
    QString cachedPath(const QString &fileId) const { return m_cached.value(fileId); }

    // For tests: the ids of transfers shown in the panel.
    QStringList panelIds() const;

Q_SIGNALS:
    void thumbnailReady(const QString &fileId);
    void saved(const QString &fileId, const QString &path);
    // Something the user should read (a failure); it is also added to the conversation.
    void problem(const QString &text);

private:
    struct Row;
    struct Save
    {
        QString target;
        bool replace = false;
    };

    void addRow(const QString &id, const QString &text, qint64 total);
    void setRowProgress(const QString &id, qint64 done, qint64 total);
    void removeRow(const QString &id);
    void report(const QString &text);
    void queuePreview(const Confab::Protocol::FileInfo &file);
    void fetchNextPreview();
    void onDownloadFinished(const QString &fileId, const QString &path);
    void onSaved(const QString &fileId, const QString &path);
    void onFailed(const QString &id, const QString &code, const QString &message);
    bool startSave(const Confab::Protocol::FileInfo &file, const QString &target, bool replace);
    void finishSave(const QString &fileId, const QString &from, const Save &save, bool copy);
    void showImage(const QString &fileId);
    QString cacheDirectory(const QString &fileId) const;

    ChatClient *m_client;
    FileTransfer *m_transfer;
    QWidget *m_panel;
    QVBoxLayout *m_panelLayout;
    QHash<QString, Row *> m_rows;
    QString m_downloadDir;
    std::function<QString()> m_downloadSource;
    std::function<Overwrite(const QString &)> m_askOverwrite;
    std::unique_ptr<QTemporaryDir> m_cacheDir;
    QHash<QString, QString> m_uploadNames; // uploadId → the name shown
    QHash<QString, QString> m_pastedFiles; // uploadId → a temporary file to remove after
    QHash<QString, Save> m_saves; // fileId → a save downloading straight to its folder
    QHash<QString, QList<Save>> m_savesAfterFetch; // fileId → saves waiting for a preview fetch
    QHash<QString, QString> m_fileNames; // fileId → name, for what the user reads
    // Previews: waiting, being fetched (at most two), fetched, or not an image after all.
    QList<Confab::Protocol::FileInfo> m_previewQueue;
    QHash<QString, Confab::Protocol::FileInfo> m_fetching;
    QHash<QString, QString> m_cached; // fileId → path in the cache
    QHash<QString, QImage> m_thumbnails;
    QSet<QString> m_previewFailed;
    QSet<QString> m_previewPutOff; // its file is being saved; fetched after that

    QString m_openWhenFetched;
    QPointer<QDialog> m_imageWindow;
};
