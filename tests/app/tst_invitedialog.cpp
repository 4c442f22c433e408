// InviteDialog and QrCodeWidget: every reachable address listed as a Confab link and a
// browser link, Copy puts the link on the clipboard, and the QR code is a real code of the
// browser link (libqrencode's module matrix, drawn black on white with a quiet zone).

#include "app/ui/invitedialog.h"
#include "app/ui/qrcodewidget.h"

#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkInterface>
#include <QPushButton>
#include <QTest>

#include <qrencode.h>

class TestInviteDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void qrCodeEncodesTheText();
    void qrCodeIsDrawnCrisp();
    void listsEveryAddressAndCopies();
    void aRoomBoundToOneAddressListsThatOne();
    void encryptedRoomLinks();
};

void TestInviteDialog::qrCodeEncodesTheText()
{
    const QString link = QStringLiteral("http://192.168.1.20:26632/");
    QrCodeWidget widget;
    QCOMPARE(widget.moduleCount(), 0);
    QVERIFY(widget.setText(link));
    // The same matrix libqrencode makes for the same bytes.
    QRcode *code = QRcode_encodeString(link.toUtf8().constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    QVERIFY(code);
    QVERIFY(code->width >= 21);
    QCOMPARE(widget.moduleCount(), code->width);
    int dark = 0;
    for (int y = 0; y < code->width; ++y) {
        for (int x = 0; x < code->width; ++x) {
            const bool expected = code->data[y * code->width + x] & 1;
            QCOMPARE(widget.isDark(x, y), expected);
            dark += expected;
        }
    }
    QRcode_free(code);
    QVERIFY(dark > 0 && dark < widget.moduleCount() * widget.moduleCount());
    // The finder pattern: a dark top-left corner.
    QVERIFY(widget.isDark(0, 0));
    QVERIFY(widget.isDark(6, 6));
    QVERIFY(!widget.isDark(1, 1));

    // More text, a bigger code.
    const int small = widget.moduleCount();
    QVERIFY(widget.setText(link + QStringLiteral("?").repeated(200)));
    QVERIFY(widget.moduleCount() > small);
    QVERIFY(!widget.setText(QString()));
    QCOMPARE(widget.moduleCount(), 0);
}

void TestInviteDialog::qrCodeIsDrawnCrisp()
{
    QrCodeWidget widget;
    QVERIFY(widget.setText(QStringLiteral("http://10.0.0.5:26632/")));
    const int modules = widget.moduleCount() + 2 * QrCodeWidget::QuietZone;
    widget.resize(modules * 3, modules * 3);
    const QImage image = widget.grab().toImage().convertToFormat(QImage::Format_RGB32);
    QCOMPARE(image.width(), modules * 3);
    int black = 0;
    int white = 0;
    int other = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QRgb pixel = image.pixel(x, y) & 0xffffff;
            if (pixel == 0)
                ++black;
            else if (pixel == 0xffffff)
                ++white;
            else
                ++other;
        }
    }
    QVERIFY(black > 0);
    QVERIFY(white > 0);
    QCOMPARE(other, 0); // no blurred edges
    // The quiet zone is white; the first module (finder pattern) black, 3 pixels a module.
    QCOMPARE(image.pixel(2, 2) & 0xffffff, 0xffffffu);
    QCOMPARE(image.pixel(QrCodeWidget::QuietZone * 3, QrCodeWidget::QuietZone * 3) & 0xffffff, 0u);
    // The image drawn at 1 pixel a module matches the matrix exactly.
    const QImage exact = widget.image(1);
    QCOMPARE(exact.width(), modules);
    for (int y = 0; y < widget.moduleCount(); ++y)
        for (int x = 0; x < widget.moduleCount(); ++x)
            QCOMPARE(
                (exact.pixel(x + QrCodeWidget::QuietZone, y + QrCodeWidget::QuietZone) & 0xffffff)
                    == 0,
                widget.isDark(x, y));
}

void TestInviteDialog::listsEveryAddressAndCopies()
{
    InviteDialog dialog(QHostAddress::Any, 4321, false);
    dialog.show();
    const QList<InviteDialog::Invitation> invitations = dialog.invitations();
    QVERIFY(!invitations.isEmpty());
    const QList<QHostAddress> expected = InviteDialog::reachableAddresses(QHostAddress::Any);
    QCOMPARE(invitations.size(), expected.size());
    for (int i = 0; i < invitations.size(); ++i) {
        const InviteDialog::Invitation &invitation = invitations.at(i);
        QCOMPARE(invitation.address, expected.at(i));
        QCOMPARE(invitation.roomUrl.scheme(), QStringLiteral("ws"));
        QCOMPARE(invitation.roomUrl.port(), 4321);
        QCOMPARE(invitation.browserUrl.scheme(), QStringLiteral("http"));
        QCOMPARE(invitation.browserUrl.path(), QStringLiteral("/"));
        QCOMPARE(QHostAddress(invitation.roomUrl.host()), invitation.address);
        // Loopback only when there is nothing else to offer.
        if (invitations.size() > 1)
            QVERIFY(!invitation.address.isLoopback());
        auto *field = dialog.findChild<QLineEdit *>(QStringLiteral("roomUrl%1").arg(i));
        QVERIFY(field);
        QCOMPARE(field->text(), invitation.roomUrl.toString());
        QCOMPARE(dialog.findChild<QLineEdit *>(QStringLiteral("browserUrl%1").arg(i))->text(),
                 invitation.browserUrl.toString());
    }
    // Every IPv4 address of a running interface is among them (the system's own view).
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        if (!interface.flags().testFlag(QNetworkInterface::IsUp)
            || !interface.flags().testFlag(QNetworkInterface::IsRunning)
            || interface.flags().testFlag(QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry &entry : interface.addressEntries()) {
            if (entry.ip().protocol() == QAbstractSocket::IPv4Protocol)
                QVERIFY2(expected.contains(entry.ip()), qPrintable(entry.ip().toString()));
        }
    }

    QGuiApplication::clipboard()->clear();
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("copyRoomUrl0")),
                      Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), invitations.at(0).roomUrl.toString());
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("copyBrowserUrl0")),
                      Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), invitations.at(0).browserUrl.toString());

    // The QR code shows a browser link, the one picked.
    QCOMPARE(dialog.qrCode()->text(), invitations.at(0).browserUrl.toString());
    QVERIFY(dialog.qrCode()->moduleCount() > 0);
    QVERIFY(dialog.qrCode()->isVisible());
    if (invitations.size() > 1) {
        dialog.findChild<QComboBox *>(QStringLiteral("qrFor"))->setCurrentIndex(1);
        QCOMPARE(dialog.qrCode()->text(), invitations.at(1).browserUrl.toString());
    }
}

void TestInviteDialog::aRoomBoundToOneAddressListsThatOne()
{
    const QList<InviteDialog::Invitation> invitations
        = InviteDialog::invitationsFor(QHostAddress(QStringLiteral("10.1.2.3")), 26632, false);
    QCOMPARE(invitations.size(), 1);
    QCOMPARE(invitations.at(0).roomUrl, QUrl(QStringLiteral("ws://10.1.2.3:26632")));
    QCOMPARE(invitations.at(0).browserUrl, QUrl(QStringLiteral("http://10.1.2.3:26632/")));
    const QList<InviteDialog::Invitation> v6
        = InviteDialog::invitationsFor(QHostAddress(QStringLiteral("2001:db8::5")), 26632, false);
    QCOMPARE(v6.at(0).roomUrl.toString(), QStringLiteral("ws://[2001:db8::5]:26632"));
    QCOMPARE(v6.at(0).browserUrl.toString(), QStringLiteral("http://[2001:db8::5]:26632/"));
}

void TestInviteDialog::encryptedRoomLinks()
{
    InviteDialog dialog(QHostAddress(QStringLiteral("10.1.2.3")), 26632, true);
    QCOMPARE(dialog.invitations().at(0).roomUrl, QUrl(QStringLiteral("wss://10.1.2.3:26632")));
    QCOMPARE(dialog.invitations().at(0).browserUrl,
             QUrl(QStringLiteral("https://10.1.2.3:26632/")));
    dialog.setCertificateFingerprint(QStringLiteral("AB:CD"));
    dialog.show();
    auto *label = dialog.findChild<QLabel *>(QStringLiteral("fingerprint"));
    QVERIFY(label && label->isVisible());
    QVERIFY(label->text().contains(QStringLiteral("AB:CD")));
}

QTEST_MAIN(TestInviteDialog)
#include "tst_invitedialog.moc"
