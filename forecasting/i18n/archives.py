"""Texts of model runs delivered in an archive (:mod:`forecasting.archives`)."""

MESSAGES = {
    "archive.too_large": ("{file} 解压后超过 {limit} MB（一次起报的上限）", "{file} expands to more than {limit} MB, the limit "
                          "for one run"),
    "archive.damaged": ("{file} 是损坏的压缩文件，无法解压；请重新下载", "{file} is a damaged archive and cannot be "
                        "expanded; download it again"),
    "archive.encrypted": ("{file} 是加密的压缩文件；请上传未加密的文件", "{file} is an encrypted archive; upload it "
                          "unencrypted"),
    "archive.no_netcdf": ("{file} 中没有 NetCDF 文件（其中有：{members}）", "{file} holds no NetCDF file (it holds: "
                          "{members})"),
    "archive.too_many": ("解压后共 {n} 个文件；一次起报最多 {max} 个文件", "{n} files once the archives are expanded; "
                         "at most {max} files make one run"),
    "archive.too_many_members": ("{file} 中有 {n} 个文件；压缩包最多读取 {max} 个文件", "{file}: {n} files in the "
                                 "archive; at most {max} are read"),
    "archive.same_name": ("解压后有同名文件：{names}", "two files named {names} once the archives are expanded"),
}
