// The window icon: resources/icons/confab.svg, compiled into confab_ui as
// :/icons/confab.svg, must be there and render at every size a desktop asks for.
// Rendering needs Qt's SVG plugins (libqt6svg6), which the .deb depends on.

#include <QFile>
#include <QIcon>
#include <QImage>
#include <QImageReader>
#include <QPixmap>
#include <QtTest>

class TestAppIcon : public QObject
{
    Q_OBJECT

private slots:
    void resourceIsCompiledIn()
    {
        QFile file(QStringLiteral(":/icons/confab.svg"));
        QVERIFY2(file.open(QIODevice::ReadOnly), "qt_add_resources in app/CMakeLists.txt");
        QVERIFY(file.readAll().contains("<svg"));
    }

    void svgPluginIsPresent()
    {
        QVERIFY2(QImageReader::supportedImageFormats().contains("svg"),
                 "Qt's SVG image plugin is missing: install libqt6svg6 (qt6-svg-dev)");
    }

    void rendersAtEverySize_data()
    {
        QTest::addColumn<int>("size");
        for (int size : { 16, 24, 32, 48, 64, 128, 256 })
            QTest::addRow("%d px", size) << size;
    }

    void rendersAtEverySize()
    {
        QFETCH(int, size);
        const QIcon icon(QStringLiteral(":/icons/confab.svg"));
        QVERIFY(!icon.isNull());
        const QImage image = icon.pixmap(QSize(size, size)).toImage()
                                 .convertToFormat(QImage::Format_ARGB32);
        QCOMPARE(image.size(), QSize(size, size));

        // Two bubbles, flat blue and green, cover a good part of the square; the corners
        // stay transparent.
        int opaque = 0, blue = 0, green = 0;
        for (int y = 0; y < size; ++y) {
            for (int x = 0; x < size; ++x) {
                const QColor c = image.pixelColor(x, y);
                if (c.alpha() < 200)
                    continue;
                ++opaque;
                if (c.blue() > c.red() + 80 && c.blue() > c.green() + 40)
                    ++blue;
                else if (c.green() > c.red() + 80 && c.green() > c.blue() + 20)
                    ++green;
            }
        }
        const int area = size * size;
        QVERIFY2(opaque > area / 3, qPrintable(QString::number(opaque)));
        QVERIFY2(blue > area / 12, qPrintable(QString::number(blue)));
        QVERIFY2(green > area / 8, qPrintable(QString::number(green)));
        QCOMPARE(image.pixelColor(size - 1, 0).alpha(), 0);
        QCOMPARE(image.pixelColor(0, size - 1).alpha(), 0);
    }
};

QTEST_MAIN(TestAppIcon)
#include "tst_appicon.moc"
