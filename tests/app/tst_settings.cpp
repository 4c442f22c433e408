// Settings and what the GUI remembers with them: the nickname, recent rooms (most recent
// first, at most ten, with their names), the chat window's size and splitter, the language
// and muted notifications, kept across AppController instances (as across runs).

#include "app/core/chatclient.h"
#include "app/ui/appcontroller.h"
#include "app/ui/chatwindow.h"
#include "app/ui/settings.h"
#include "app/ui/settingsdialog.h"
#include "app/ui/startdialog.h"
#include "server/roomserver.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TestSettings final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void recentRoomsAreOrderedAndBounded();
    void valuesPersistInAnIniFile();
    void persistAcrossControllers();
    void settingsDialogSavesLanguageAndMute();
};

void TestSettings::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestSettings::init()
{
    QSettings().clear();
}

void TestSettings::recentRoomsAreOrderedAndBounded()
{
    Settings settings;
    QVERIFY(settings.recentRooms().isEmpty());
    for (int i = 0; i < 12; ++i)
        settings.addRecentRoom(QUrl(QStringLiteral("ws://10.0.0.%1:26632").arg(i)),
                               QStringLiteral("Room %1").arg(i));
    QList<Settings::RecentRoom> rooms = settings.recentRooms();
    QCOMPARE(rooms.size(), Settings::MaxRecentRooms);
    QCOMPARE(rooms.first().url, QUrl(QStringLiteral("ws://10.0.0.11:26632")));
    QCOMPARE(rooms.first().name, QStringLiteral("Room 11"));
    QCOMPARE(rooms.last().url, QUrl(QStringLiteral("ws://10.0.0.2:26632")));
    // Joining one again moves it first, once; an unknown name keeps the one known.
    settings.addRecentRoom(QUrl(QStringLiteral("ws://10.0.0.5:26632")), QString());
    rooms = settings.recentRooms();
    QCOMPARE(rooms.size(), Settings::MaxRecentRooms);
    QCOMPARE(rooms.first(),
             (Settings::RecentRoom { QUrl(QStringLiteral("ws://10.0.0.5:26632")),
                                     QStringLiteral("Room 5") }));
    int fives = 0;
    for (const Settings::RecentRoom &room : rooms)
        fives += room.url.host() == QLatin1String("10.0.0.5");
    QCOMPARE(fives, 1);
    // Another Settings sees the same.
    QCOMPARE(Settings().recentRooms(), rooms);
}

void TestSettings::valuesPersistInAnIniFile()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("confab.ini"));
    {
        Settings settings(file);
        QCOMPARE(settings.language(), QStringLiteral("system"));
        QVERIFY(!settings.notificationsMuted());
        settings.setNick(QStringLiteral("민지"));
        settings.setLanguage(QStringLiteral("ko"));
        settings.setNotificationsMuted(true);
        settings.setChatWindowGeometry(QByteArray("geometry"));
        settings.setChatSplitterState(QByteArray("splitter"));
        settings.addRecentRoom(QUrl(QStringLiteral("wss://[fe80::1]:4000")),
                               QStringLiteral("부엌"));
    }
    Settings settings(file);
    QCOMPARE(settings.nick(), QStringLiteral("민지"));
    QCOMPARE(settings.language(), QStringLiteral("ko"));
    QVERIFY(settings.notificationsMuted());
    QCOMPARE(settings.chatWindowGeometry(), QByteArray("geometry"));
    QCOMPARE(settings.chatSplitterState(), QByteArray("splitter"));
    QCOMPARE(settings.recentRooms().value(0).name, QStringLiteral("부엌"));
    QCOMPARE(settings.recentRooms().value(0).url, QUrl(QStringLiteral("wss://[fe80::1]:4000")));
    // Nonsense from a hand-edited file falls back.
    settings.setLanguage(QStringLiteral("tlh"));
    QCOMPARE(settings.language(), QStringLiteral("system"));
    // The application's settings were not touched.
    QVERIFY(Settings().nick().isEmpty());
}

void TestSettings::persistAcrossControllers()
{
    QTemporaryDir dataDir;
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.dataDir = dataDir.path();
    config.announce = false;
    config.roomName = QStringLiteral("Porch");
    RoomServer room(config);
    QVERIFY2(room.start(), qPrintable(room.errorString()));

    QByteArray splitterState;
    {
        AppController controller(StartOptions {});
        QVERIFY(controller.start());
        StartDialog *dialog = controller.startDialog();
        dialog->setPage(StartDialog::Page::Join);
        dialog->findChild<QLineEdit *>(QStringLiteral("nick"))->setText(QStringLiteral("dora"));
        dialog->findChild<QLineEdit *>(QStringLiteral("address"))->setText(room.url().toString());
        dialog->accept();
        QTRY_VERIFY(controller.chatWindow());
        ChatWindow *window = controller.chatWindow();
        QTRY_COMPARE(controller.client()->state(), ChatClient::State::Joined);
        QVERIFY(QTest::qWaitForWindowExposed(window));
        window->resize(700, 450);
        QVERIFY(window->splitter());
        window->splitter()->setSizes({ 500, 180 });
        splitterState = window->splitter()->saveState();
        window->close();
    }

    AppController controller(StartOptions {});
    QVERIFY(controller.start());
    StartDialog *dialog = controller.startDialog();
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("nick"))->text(),
             QStringLiteral("dora"));
    // The page last used, the room last joined, and the list of recent rooms with its name.
    QCOMPARE(dialog->page(), StartDialog::Page::Join);
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("address"))->text(),
             room.url().toString());
    QListWidget *recent = dialog->recentRoomsView();
    QCOMPARE(recent->count(), 1);
    QVERIFY2(recent->item(0)->text().contains(QStringLiteral("Porch")),
             qPrintable(recent->item(0)->text()));
    // QTest's double-click is the second click only; a user's starts with a first.
    const QPoint item = recent->visualItemRect(recent->item(0)).center();
    QTest::mouseClick(recent->viewport(), Qt::LeftButton, {}, item);
    QTest::mouseDClick(recent->viewport(), Qt::LeftButton, {}, item);
    QTRY_VERIFY(controller.chatWindow());
    ChatWindow *window = controller.chatWindow();
    QCOMPARE(window->size(), QSize(700, 450));
    QCOMPARE(window->splitter()->saveState(), splitterState);
    QTRY_COMPARE(controller.client()->state(), ChatClient::State::Joined);
}

void TestSettings::settingsDialogSavesLanguageAndMute()
{
    AppController controller(StartOptions {});
    QVERIFY(controller.start());
    // From the start dialog's button.
    QTest::mouseClick(
        controller.startDialog()->findChild<QPushButton *>(QStringLiteral("settingsButton")),
        Qt::LeftButton);
    SettingsDialog *dialog = controller.settingsDialog();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto *language = dialog->findChild<QComboBox *>(QStringLiteral("language"));
    auto *restartNote = dialog->findChild<QLabel *>(QStringLiteral("restartNote"));
    QCOMPARE(language->currentData().toString(), QStringLiteral("system"));
    QVERIFY(!restartNote->isVisible());
    language->setCurrentIndex(language->findData(QStringLiteral("ko")));
    // Changing the language needs a restart, and the dialog says so.
    QVERIFY(restartNote->isVisible());
    QVERIFY(restartNote->text().contains(QStringLiteral("next time")));
    QTest::keyClick(dialog->findChild<QCheckBox *>(QStringLiteral("muted")), Qt::Key_Space);
    // Where files are saved: the Downloads folder until another is chosen.
    auto *downloads = dialog->findChild<QLineEdit *>(QStringLiteral("downloadDirectory"));
    QVERIFY(downloads);
    QCOMPARE(downloads->text(), Settings::defaultDownloadDirectory());
    const QString chosen = QDir::temp().filePath(QStringLiteral("confab-received"));
    downloads->setText(chosen);
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
    QTRY_VERIFY(!controller.settingsDialog());
    Settings settings;
    QCOMPARE(settings.language(), QStringLiteral("ko"));
    QVERIFY(settings.notificationsMuted());
    QCOMPARE(settings.downloadDirectory(), chosen);
    // The key the start-up translation loader reads.
    QCOMPARE(QSettings().value(QStringLiteral("ui/language")).toString(), QStringLiteral("ko"));
}

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
