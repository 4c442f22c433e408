#pragma once

#include <QDialog>
#include <QHostAddress>
#include <QList>
#include <QUrl>

class QComboBox;
class QLabel;
class QPushButton;
class QrCodeWidget;

// What a host shows people to let them in: every address of this machine the room can be
// reached on, each as the link for Confab (ws:// or wss://) and the link for a browser
// (http:// or https://, the room's web client), each with a Copy button, and a QR code of
// a browser link for phones. A machine on two networks (wired and Wi-Fi, or a VPN) has
// several such addresses, and only the person joining knows which one reaches them.
class InviteDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InviteDialog)

public:
    struct Invitation
    {
        QHostAddress address;
        QUrl roomUrl; // ws://ADDR:PORT or wss://
        QUrl browserUrl; // http://ADDR:PORT/ or https://
    };

    // A room listening on `bound` (a wildcard address: every interface) at `port`.
    InviteDialog(const QHostAddress &bound, quint16 port, bool tls, QWidget *parent = nullptr);
    ~InviteDialog() override;

    QList<Invitation> invitations() const { return m_invitations; }
    // A wss:// room's certificate fingerprint, for joiners to compare with what their
    // Confab shows on first joining; empty hides it.
    void setCertificateFingerprint(const QString &fingerprint);
    QrCodeWidget *qrCode() const { return m_qr; }
    // Shows the QR code of the browser link of invitations().at(index).
    void showQrCodeFor(int index);

    // Every address that others may reach a room bound to `bound` on: for a wildcard, the
    // IPv4 and IPv6 addresses of every interface that is up and running, loopback aside
    // (link-local IPv6 too is left out: it needs the zone of the *joiner's* interface,
    // which no link can carry); else `bound` itself. Loopback when there is nothing else,
    // so that the list is never empty.
    static QList<QHostAddress> reachableAddresses(const QHostAddress &bound);
    static QList<Invitation> invitationsFor(const QHostAddress &bound, quint16 port, bool tls);

private:
    void copy(const QString &text);

    QList<Invitation> m_invitations;
    QComboBox *m_qrFor;
    QrCodeWidget *m_qr;
    QLabel *m_copied;
    QLabel *m_fingerprint;
};
