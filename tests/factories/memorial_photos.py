"""Real image files for the memorial photo tests (M1): built with Pillow, with metadata to strip."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

from marketplace.memorials.services import photos

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (116.0, 23.0, 17.0),
}
CAMERA = "SecretCam-X100"


def exif_with_gps(orientation=1):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.GPSInfo] = GPS
    return exif


def image_bytes(fmt="JPEG", size=(40, 20), *, orientation=1, color=(180, 40, 40), **save):
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if fmt in ("JPEG", "WEBP"):
        save.setdefault("exif", exif_with_gps(orientation))
    if fmt == "PNG":
        info = PngInfo()
        info.add_text("Location", "39.9075N 116.3881E")
        save.setdefault("pnginfo", info)
    image.save(out, fmt, **save)
    return out.getvalue()


def upload(data=None, name="photo.jpg"):
    return SimpleUploadedFile(name, image_bytes() if data is None else data)


def add(memorial, user, data=None, *, name="photo.jpg", alt_text="母亲在公园的留影", caption=""):
    return photos.add_photo(memorial, user, image=upload(data, name), alt_text=alt_text, caption=caption)


def stored_bytes(photo):
    with photo.file.open("rb") as handle:
        return handle.read()
